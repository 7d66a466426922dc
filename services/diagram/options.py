"""Export options: Cloudcraft's query parameters for a blueprint export, parsed once.

`GET /api/aws/account/{id}/{region}/{format}` and `GET /api/blueprint/{id}/{format}` take the
same parameters Cloudcraft documents; the gateway passes the query string through unchanged and
`parse_options` turns it into an `ExportOptions`, or raises `InvalidArgument` naming the parameter
and what it accepts. Composition reads `filter`, `exclude`, `autoconnect`, `label`, `group_by`
and `expand`; the renderers read the rest.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.common.errors import InvalidArgument

FORMATS = ("json", "svg", "png", "pdf", "mxGraph")
PROJECTIONS = ("isometric", "2d")
THEMES = ("light", "dark")
GROUP_BY_PRESETS = ("infrastructure", "network", "security")
# Custom grouping keys; "tag:<key>" groups by a tag's value.
GROUP_BY_KEYS = ("region", "vpc", "subnet", "securityGroup")
# Paper sizes for PDF, in millimetres (portrait).
PAPER_SIZES: dict[str, tuple[float, float]] = {
    "Letter": (215.9, 279.4), "Legal": (215.9, 355.6), "Tabloid": (279.4, 431.8), "Ledger": (431.8, 279.4),
    "A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297), "A5": (148, 210),
}
MAX_PIXELS = 16384          # width and height bound for raster output
MAX_SCALE = 10.0
MAX_FILTER_LENGTH = 4096

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off", "")


@dataclass(frozen=True)
class ExportOptions:
    scale: float = 1.0
    width: int | None = None          # pixels; None: the diagram's own size at `scale`
    height: int | None = None
    grid: bool = False
    transparent: bool = False
    landscape: bool = False
    paper_size: str = "Letter"
    projection: str = "isometric"     # Cloudcraft's default
    theme: str = "light"
    label: bool = True                # Cloudcraft's autoLabel
    autoconnect: bool = True          # draw connections from relationships
    filter: str = ""                  # Cloudcraft's filter grammar (services/diagram/filters.py)
    exclude: tuple[str, ...] = ()     # Cloudcraft node types to leave out
    group_by: str = "infrastructure"  # a preset, a GROUP_BY_KEYS key, or "tag:<key>"
    expand: tuple[str, ...] = field(default=())   # ids of collapsed groups to show in full


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidArgument(f"{name} must be true or false, not {value[:20]!r}")


def _number(name: str, value: str, low: float, high: float, kind=float):
    try:
        number = kind(value)
    except ValueError:
        raise InvalidArgument(f"{name} must be a {'whole ' if kind is int else ''}number, not {value[:20]!r}") from None
    if not low <= number <= high:
        raise InvalidArgument(f"{name} must be between {low:g} and {high:g}, not {value[:20]}")
    return number


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise InvalidArgument(f"{name} must be one of {', '.join(choices)}, not {value[:30]!r}")


def _list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def parse_group_by(value: str) -> str:
    if value.startswith("tag:") and len(value) > 4:
        return value
    return _choice("groupBy", value, GROUP_BY_PRESETS + GROUP_BY_KEYS)


def parse_options(query: Mapping[str, str]) -> ExportOptions:
    """Cloudcraft's export parameters (plus cloudsketch's groupBy and expand) from a query string.
    Unknown parameters are ignored, as Cloudcraft does."""
    values: dict = {}
    if "scale" in query:
        values["scale"] = _number("scale", query["scale"], 0.1, MAX_SCALE)
    for name in ("width", "height"):
        if query.get(name):
            values[name] = _number(name, query[name], 1, MAX_PIXELS, int)
    for name in ("grid", "transparent", "landscape", "label", "autoconnect"):
        if name in query:
            values[name] = _bool(name, query[name])
    if "paperSize" in query:
        values["paper_size"] = _choice("paperSize", query["paperSize"], tuple(PAPER_SIZES))
    if "projection" in query:
        values["projection"] = _choice("projection", query["projection"], PROJECTIONS)
    if "theme" in query:
        values["theme"] = _choice("theme", query["theme"], THEMES)
    if "filter" in query:
        if len(query["filter"]) > MAX_FILTER_LENGTH:
            raise InvalidArgument(f"filter is longer than {MAX_FILTER_LENGTH} characters")
        values["filter"] = query["filter"]
    if "exclude" in query:
        values["exclude"] = _list(query["exclude"])
    if query.get("groupBy"):
        values["group_by"] = parse_group_by(query["groupBy"])
    if "expand" in query:
        values["expand"] = _list(query["expand"])
    return ExportOptions(**values)


def parse_format(value: str) -> str:
    """A format name as Cloudcraft spells it (mxGraph; also accepted in any case)."""
    return _choice("format", value, FORMATS)
