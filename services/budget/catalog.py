"""The price catalog: AWS public list prices (USD) loaded once, looked up by service, dimension and
region in one dict access.

The catalog file (data/catalog.json.gz, made by catalog_build.py or `cloudsketch prices refresh`)
keeps `{service: {dimension: {region: "price"}}}`; loading flattens it into one dict keyed by
(service, dimension, region) tuples with Decimal values, so a lookup never scans anything.
docs/budget.md lists every service and dimension.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

log = logging.getLogger(__name__)
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "catalog.json.gz"
SUPPORTED_FORMAT = 1


class CatalogError(Exception):
    """The catalog cannot be loaded: the budget cannot price anything without it."""


@dataclass(frozen=True)
class Catalog:
    prices: dict[tuple[str, str, str], Decimal]
    sources: tuple[dict, ...] = ()
    built: str = ""
    path: str = ""
    services: frozenset[str] = field(default_factory=frozenset)
    digest: str = ""              # SHA-256 of the file: which catalog an account was priced with

    def get(self, service: str, dimension: str, region: str) -> Decimal | None:
        return self.prices.get((service, dimension, region))

    def __len__(self) -> int:
        return len(self.prices)

    def describe(self) -> str:
        """Where the prices come from, for a budget's `price_source`."""
        parts = [f"{source['name']} ({source['date']})" for source in self.sources]
        return "AWS public list prices (USD, on-demand): " + ", ".join(parts)

    @classmethod
    def from_document(cls, document: dict, path: str = "") -> Catalog:
        where = path or "the catalog"
        if not isinstance(document, dict) or not isinstance(document.get("prices"), dict):
            raise CatalogError(f"price catalog {where} has no 'prices' object: rebuild it "
                               "(python -m services.budget.catalog_build or cloudsketch prices refresh)")
        if document.get("format") != SUPPORTED_FORMAT:
            raise CatalogError(f"price catalog {where} has format {document.get('format')!r}; "
                               f"this version reads format {SUPPORTED_FORMAT}")
        prices: dict[tuple[str, str, str], Decimal] = {}
        try:
            for service, dimensions in document["prices"].items():
                for dimension, regions in dimensions.items():
                    for region, price in regions.items():
                        prices[(service, dimension, region)] = Decimal(price)
        except (AttributeError, InvalidOperation, TypeError) as exc:
            raise CatalogError(f"price catalog {where} holds a malformed price ({exc.__class__.__name__}): "
                               "rebuild it") from exc
        return cls(prices=prices, sources=tuple(document.get("sources", ())), built=document.get("built", ""),
                   path=path, services=frozenset(document["prices"]))


def load(path: str | os.PathLike | None = None) -> Catalog:
    """The catalog at `path` (default: CLOUDSKETCH_PRICE_CATALOG, else the packaged one).
    Raises CatalogError, with a message that names the file and what to do, when it cannot."""
    path = Path(path or os.environ.get("CLOUDSKETCH_PRICE_CATALOG") or DEFAULT_PATH)
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError as exc:
        raise CatalogError(f"price catalog {path} does not exist: reinstall cloudsketch or rebuild it "
                           "(python -m services.budget.catalog_build)") from exc
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise CatalogError(f"price catalog {path} is not a readable gzip file ({exc}): rebuild it "
                           "(python -m services.budget.catalog_build or cloudsketch prices refresh)") from exc
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise CatalogError(f"price catalog {path} is not valid JSON ({exc}): rebuild it") from exc
    return dataclasses.replace(Catalog.from_document(document, str(path)), digest=hashlib.sha256(raw).hexdigest())


_loaded: tuple[tuple, Catalog] | None = None     # (the file's identity when loaded, the catalog)
_lock = threading.Lock()


def _identity(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path),)
    return (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def current() -> Catalog:
    """The process's catalog, loaded again when its file changed since (`cloudsketch prices
    refresh` rewrote it, or CLOUDSKETCH_PRICE_CATALOG names another): one stat a call. The first
    load raises CatalogError, which stops the process; a changed file that does not load is logged
    and the catalog in use stays (docs/budget.md, "A new catalog")."""
    global _loaded
    path = Path(os.environ.get("CLOUDSKETCH_PRICE_CATALOG") or DEFAULT_PATH)
    identity = _identity(path)
    loaded = _loaded
    if loaded is not None and loaded[0] == identity:
        return loaded[1]
    with _lock:
        if _loaded is not None and _loaded[0] == identity:
            return _loaded[1]
        try:
            catalog = load(path)
        except CatalogError:
            if _loaded is None:
                raise
            log.error("the price catalog changed but does not load: the one in use stays", exc_info=True)
            _loaded = (identity, _loaded[1])      # not tried again until the file changes again
            return _loaded[1]
        if _loaded is not None:
            log.info("price catalog loaded again", extra={"path": str(path), "digest": catalog.digest[:12]})
        _loaded = (identity, catalog)
        return catalog


def default() -> Catalog:
    """The catalog in use (loaded on first use; `current()` notices a new file)."""
    return _loaded[1] if _loaded is not None else current()
