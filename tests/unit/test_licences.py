"""No GPL or AGPL in what cloudsketch needs at run time.

cloudsketch is Apache-2.0 and platform teams self-host it: a run-time dependency under the GPL or
AGPL would bind the combination they deploy (the AGPL even when it is only served over a network),
which is why the diagram renderer does not use MuPDF (docs/diagram-rendering.md). Weak copyleft is
allowed: LGPL and MPL cover changes to those libraries themselves, used unmodified as separate
packages, not the program that imports them.

The walk starts at the installed "cloudsketch" distribution and follows every requirement that
applies here, recursively, ignoring extras (the test tools are not shipped). Each distribution's
licence is read from its metadata: License-Expression, else License and the License classifiers,
else (nothing declared) the licence files it ships; a distribution with none of these fails.
"""
from __future__ import annotations

import re
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# "LGPL", "Lesser/Library General Public License" are allowed: removed before looking for GPL.
_WEAK = re.compile(r"LGPL|(Lesser|Library) General Public License", re.IGNORECASE)
_STRONG = re.compile(r"\bA?GPL|General Public License|Affero", re.IGNORECASE)


def strong_copyleft(licence: str) -> bool:
    """Whether a licence text names the GPL or AGPL (LGPL does not count)."""
    return bool(_STRONG.search(_WEAK.sub("", licence)))


def licence_of(dist: metadata.Distribution) -> list[str]:
    """The licence as declared: the SPDX expression's alternatives when there is one (any one of
    them may be chosen), else the License field's first line and the License classifiers."""
    expression = dist.metadata.get("License-Expression")
    if expression:
        return [part.strip(" ()") for part in re.split(r"\s+OR\s+", expression)]
    declared = (dist.metadata.get("License") or "").strip().splitlines()[0:1]
    classifiers = [c for c in dist.metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    if declared or classifiers:
        return [" ".join(declared + classifiers)]
    # Nothing in the metadata (resvg-py 0.5): the licence files the wheel ships.
    files = [f for f in dist.files or [] if re.match(r"(LICEN[CS]E|COPYING)", f.name, re.IGNORECASE)]
    return [" ".join(f.read_text() or "" for f in files)]


def runtime_distributions(root: str = "cloudsketch") -> dict[str, metadata.Distribution]:
    found: dict[str, metadata.Distribution] = {}
    pending = [root]
    while pending:
        name = canonicalize_name(pending.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue        # a requirement for another platform or Python, not installed here
        found[name] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            # Ignoring extras: a requirement that only applies with an extra is not followed.
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            pending.append(requirement.name)
    return found


def test_the_walk_sees_the_renderers_dependencies():
    names = set(runtime_distributions())
    assert {"cloudsketch", "flask", "resvg-py", "reportlab", "pillow"} <= names
    assert "pytest" not in names and "playwright" not in names     # extras are not followed
    assert "pymupdf-lite" not in names and "pymupdf" not in names


def test_the_classifier_reads_gpl_agpl_lgpl_and_mpl():
    assert strong_copyleft("AGPL-3.0-or-later") and strong_copyleft("GPL-2.0-only")
    assert strong_copyleft("License :: OSI Approved :: GNU Affero General Public License v3")
    assert not strong_copyleft("LGPL-3.0-or-later") and not strong_copyleft("MPL-2.0")
    assert not strong_copyleft("License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)")


def test_no_runtime_dependency_is_gpl_or_agpl():
    offending = {}
    for name, dist in sorted(runtime_distributions().items()):
        alternatives = licence_of(dist)
        assert any(a.strip() for a in alternatives), f"{name} declares no licence"
        if all(strong_copyleft(alternative) for alternative in alternatives):
            offending[name] = alternatives
    assert offending == {}
