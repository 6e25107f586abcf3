"""The PDF edition: built here exactly as `make pdf` builds it, then read back.

tools/build_pdf.py prints Jupyter Book's single-page HTML build with Chromium into a temporary
folder (it fails by itself if MathJax leaves a formula untypeset or a request leaves the host).
The PDF is then read with PDFium (pypdfium2: the engine Chromium itself uses; the whole book's
glyphs and images take about 2 s, against about 40 s with pdfminer), and must have:

- every page of _toc.yml, under its title, where the contents page says it starts;
- no glyph beyond the left or right margin (code and outputs wrap; wider content is scaled down);
- every figure of the notebooks embedded, losslessly, never enlarged past 1 px per CSS px;
- every solution printed open, no TeX source left, and "page / pages" on every page.

About a minute and a half on two cores (the HTML build, then two prints), in one xdist worker.
BOOK_PDF_WORKDIR=_build/pdf checks the PDF `make pdf` left there instead of building one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from book_toc import ROOT, markdown_of, page_title, source_of, toc_pages
from chromium import require_chromium

MM = 72 / 25.4
# The margins tools/build_pdf.py prints with (MARGIN_MM there).
LEFT_MM, RIGHT_MM = 16.0, 16.0
# Italic overhang and antialiasing: glyph boxes may stick out of the text column by a hair.
TOLERANCE_PT = 1.0
# The browser lays images out at 1 image pixel per CSS pixel at most, i.e. 96 per inch.
MIN_DPI = 95
LOSSY_FILTERS = {"DCTDecode", "JPXDecode"}


def collapse(text: str) -> str:
    """Whitespace collapsed and typographic quotes made plain (Sphinx curls the quotes).

    PDFium returns a hyphen at which Chromium broke a line (as in "first-layer" split over two
    lines) as U+FFFE; the book's CSS does not hyphenate words, so each such break is a hyphen
    of the source.
    """
    text = text.translate(
        str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\ufffe": "-"})
    )
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    reuse = os.environ.get("BOOK_PDF_WORKDIR")  # e.g. _build/pdf after `make pdf`: no rebuild
    workdir = Path(reuse) if reuse else tmp_path_factory.mktemp("pdf")
    if not reuse:
        build(workdir)
    report = json.loads((workdir / "book.json").read_text(encoding="utf-8"))
    return Path(report["pdf"]), report


def build(workdir: Path) -> None:
    require_chromium()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_pdf.py"), "--workdir", str(workdir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, (
        "tools/build_pdf.py failed (run `make pdf`):\n" + (result.stdout + result.stderr)[-5000:]
    )


@pytest.fixture(scope="module")
def pdf(book):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(book[0]))
    yield document
    document.close()


@pytest.fixture(scope="module")
def texts(pdf) -> list[str]:
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def test_every_toc_page_is_in_the_pdf(texts):
    whole = collapse(" ".join(texts))
    missing = [page_title(p) for p in toc_pages() if collapse(page_title(p)) not in whole]
    assert not missing, f"titles missing from the PDF: {missing}"


def test_contents_give_the_page_each_entry_starts_on(book, texts):
    entries = book[1]["entries"]
    titles = [page_title(p) for p in toc_pages()[1:]]  # the root page is the contents' own
    assert [collapse(e["title"]).split(". ", 1)[-1] for e in entries] == titles, entries
    pages = [e["page"] for e in entries]
    assert pages == sorted(pages) and pages[0] > 1, pages
    contents = collapse(" ".join(texts[: pages[0] - 1]))  # the contents may fill several pages
    for entry in entries:
        title, number = collapse(entry["title"]), entry["page"]
        assert re.search(re.escape(title) + r"[ .…]*" + str(number) + r"\b", contents), (
            f"the contents page does not list {title!r} at page {number}: {contents[:2000]}"
        )
        assert title in collapse(texts[number - 1]), f"{title!r} is not on page {number}"


def test_no_glyph_lies_beyond_the_margins(pdf):
    outside = []
    for index in range(len(pdf)):
        page = pdf[index]
        width, _ = page.get_size()
        left, right = LEFT_MM * MM - TOLERANCE_PT, width - RIGHT_MM * MM + TOLERANCE_PT
        textpage = page.get_textpage()
        for k in range(textpage.count_chars()):
            char = textpage.get_text_range(k, 1)
            if not char or char.isspace():
                continue
            x0, _, x1, _ = textpage.get_charbox(k)
            if x0 < left or x1 > right:
                context = textpage.get_text_range(max(0, k - 30), 60)
                outside.append(f"page {index + 1}: {char!r} at x {x0:.1f}-{x1:.1f}: {context!r}")
    assert not outside, f"{len(outside)} glyphs cut at the margins, e.g. {outside[:10]}"


def figure_count() -> int:
    """Figures the book shows: image outputs of cells it does not remove, Markdown images."""
    count = 0
    for page in toc_pages():
        path = source_of(page)
        if path.suffix == ".ipynb":
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                tags = set(cell.get("metadata", {}).get("tags", []))
                if tags & {"remove-output", "remove-cell"}:
                    continue
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    count += any(key.startswith("image/") for key in data)
        markdown = markdown_of(page)
        count += len(re.findall(r"!\[[^\]]*\]\(|^[`:]{3,}\{(?:figure|image)\}", markdown, re.M))
    return count


def test_every_figure_is_embedded_at_full_resolution(pdf):
    import pypdfium2.raw as pdfium_c

    images = []
    for index in range(len(pdf)):
        for image in pdf[index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=5):
            x0, _, x1, _ = image.get_bounds()
            pixels, _ = image.get_px_size()
            dpi = pixels / ((x1 - x0) / 72)
            images.append((index + 1, pixels, round(dpi), image.get_filters()))
    expected = figure_count()
    assert len(images) == expected, f"{len(images)} images in the PDF, {expected} figures"
    blurred = [i for i in images if i[2] < MIN_DPI]
    assert not blurred, f"figures enlarged past their pixels (page, px, dpi): {blurred}"
    lossy = [i for i in images if LOSSY_FILTERS & set(i[3])]
    assert not lossy, f"figures recompressed lossily: {lossy}"


def test_solutions_are_printed_open_and_math_typeset(book, texts):
    report = book[1]
    sources = "\n".join(markdown_of(p) for p in toc_pages())
    dropdowns = sources.count(":class: dropdown")
    assert dropdowns and report["opened"] == dropdowns, (dropdowns, report["opened"])
    solutions = sum(len(re.findall(r"\bSolution\b", text)) for text in texts)
    assert solutions >= dropdowns, f"{solutions} solution titles printed, {dropdowns} in sources"
    # Text from inside every solution, which the HTML hides until clicked, is in the PDF: the
    # start of each one's first line (prose or code), up to its first math or markup character.
    whole = collapse(" ".join(texts))
    pattern = r":::\{admonition\} Solution[^\n]*\n:class: dropdown\n(.*?)\n:::"
    starts = []
    for body in re.findall(pattern, sources, re.S):
        line = next((ln for ln in body.splitlines() if ln.strip() and "```" not in ln), "")
        start = re.split(r"[`$*{\\\[]", line)[0].strip()
        if len(start) >= 25:
            starts.append(start)
    assert len(starts) >= dropdowns // 3, f"too few solution lines to look for: {starts}"
    missing = [start for start in starts if collapse(start) not in whole]
    assert not missing, f"solution text missing from the PDF: {missing}"
    assert not re.search(r"\\[(\[]|\\(frac|mathcal|operatorname)\{", whole), "TeX source printed"


def test_every_page_is_numbered(texts):
    total = len(texts)
    unnumbered = [i for i, t in enumerate(texts, 1) if f"{i} / {total}" not in collapse(t)]
    assert not unnumbered, f"pages without 'n / {total}': {unnumbered[:20]}"
