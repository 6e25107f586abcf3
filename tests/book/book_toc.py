"""The pages of the book, read from _toc.yml: shared by the hygiene and browser tests.

Not a test module: ``test_book_html.py`` and ``test_notebook_hygiene.py`` import it as
``from book_toc import ...`` (pytest puts this folder on ``sys.path`` for them).
"""

from __future__ import annotations

import json
import re
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


def source_of(page: str) -> Path:
    """The .ipynb or .md file of a toc page."""
    for ext in (".ipynb", ".md"):
        if (ROOT / page).with_suffix(ext).is_file():
            return (ROOT / page).with_suffix(ext)
    raise FileNotFoundError(f"_toc.yml lists {page!r}, which has no .ipynb or .md")


def markdown_of(page: str) -> str:
    """The Markdown of a toc page: the file itself, or a notebook's markdown cells."""
    path = source_of(page)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def page_title(page: str) -> str:
    """The rendered text of a page's '# Title' (Markdown emphasis and code marks dropped)."""
    heading = next(ln for ln in markdown_of(page).splitlines() if ln.startswith("# "))
    return re.sub(r"[`*]", "", heading[2:]).strip()
