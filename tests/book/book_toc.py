"""The pages of the book, read from _toc.yml: shared by the hygiene and browser tests.

Not a test module: ``test_book_html.py`` and ``test_notebook_hygiene.py`` import it as
``from book_toc import ...`` (pytest puts this folder on ``sys.path`` for them).
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]  # tests/book/<this file> -> the repository


def toc_pages() -> list[str]:
    """Every `file:` of _toc.yml (the root first), without extension, relative to ROOT."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                pages.append(item["file"])
            walk(item.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(page).with_suffix("")) for page in pages]
