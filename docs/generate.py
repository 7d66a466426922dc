"""Rewrite the generated tables in the docs from the code: `python docs/generate.py`.

A table follows a `<!-- generated: python -m MODULE -->` line and ends at the next blank line;
tests fail when a table and its code disagree.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent
MARKER = re.compile(r"(<!-- generated: python -m (?P<module>[\w.]+) -->\n)(?:.+\n)*", re.MULTILINE)


def regenerate(text: str) -> str:
    return MARKER.sub(lambda m: m.group(1) + importlib.import_module(m.group("module")).markdown_table() + "\n", text)


def main() -> None:
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text()
        fresh = regenerate(text)
        if fresh != text:
            path.write_text(fresh)
            print(f"updated {path.relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
