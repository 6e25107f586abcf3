"""A real browser reads the built book, offline.

Builds `_build/html` when it is missing or older than its sources (with the same command as
`make book`), serves it on 127.0.0.1, and opens every page of _toc.yml in Debian's Chromium
through Playwright. Each page must: typeset its math with the bundled MathJax, load every
image, make no request that leaves 127.0.0.1, log no console error, and show every chapter in
the sidebar.

This module is one file, so `--dist loadfile` runs it in a single xdist worker.
Chromium comes from apt (`make test` installs it as root); never `playwright install`.

Two more checks read the layout: on the pages of ``COLUMN_PAGES`` no table or code block is
wider than the text column (it would scroll sideways or be cut off in print), and the cheat sheet
prints on exactly one A4 page and one Letter page (its print CSS is _static/cheatsheet-print.css).
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from book_toc import ROOT, toc_pages
from chromium import LOCAL_SCHEMES, launch

HTML = ROOT / "_build" / "html"
# The same command as `make book` (see BOOK_BUILD in the Makefile).
BUILD_ARGS = ["build", ".", "-W", "-n", "--keep-going", "--all"]
# Known and harmless: pydata-sphinx-theme logs this when no theme mode is stored yet.
IGNORED_CONSOLE_ERRORS = ("Got invalid theme mode",)


def source_of(page: str) -> Path:
    for ext in (".ipynb", ".md"):
        if (ROOT / page).with_suffix(ext).is_file():
            return (ROOT / page).with_suffix(ext)
    raise FileNotFoundError(f"_toc.yml lists {page!r}, which has no .ipynb or .md")


def chapter_titles() -> list[str]:
    """The '# Title' of every chapter notebook listed in the toc, in order."""
    titles = []
    for page in toc_pages():
        if not page.startswith("chapters/"):
            continue
        path = source_of(page)
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            text = path.read_text(encoding="utf-8")
        heading = next(line for line in text.splitlines() if line.startswith("# "))
        # The sidebar shows the rendered text: drop Markdown emphasis and code marks.
        titles.append(re.sub(r"[`*]", "", heading[2:]).strip())
    return titles


def book_is_stale() -> bool:
    index = HTML / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml", ROOT / "references.bib"]
    sources += [source_of(page) for page in toc_pages()]
    # The static files (the playground's scripts) and the local extension change pages too.
    sources += [path for folder in ("_static", "_ext") for path in (ROOT / folder).rglob("*")]
    return any(path.stat().st_mtime > built for path in sources)


@pytest.fixture(scope="module")
def book() -> Path:
    # tests/book/test_playground.py uses this fixture too, possibly in another xdist worker at the
    # same time: a lock keeps two builds from writing _build/html at once.
    HTML.parent.mkdir(parents=True, exist_ok=True)
    with open(HTML.parent / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if book_is_stale():
            jupyter_book = Path(sys.executable).with_name("jupyter-book")
            result = subprocess.run(
                [str(jupyter_book), *BUILD_ARGS],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert result.returncode == 0, (
                "the book build failed (run `make book`):\n"
                + (result.stdout + result.stderr)[-5000:]
            )
            (HTML / "index.html").touch()
    return HTML


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def server(book):
    handler = functools.partial(QuietHandler, directory=str(book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class PageReport:
    """What one page did while it loaded: requests, failures, console errors."""

    def __init__(self, origin: str):
        self.origin = origin
        self.external: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error" and not any(s in message.text for s in IGNORED_CONSOLE_ERRORS):
            self.console_errors.append(message.text)

    def on_response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")


#: How long a page may take to typeset and finish loading (ms), generous for a loaded CI machine.
SETTLE_MS = 120_000


def open_page(context, origin: str, page_name: str):
    report = PageReport(origin)
    page = context.new_page()

    def block(route):
        # Record and block: the test proves the book is offline without sending anything.
        report.external.append(route.request.url)
        route.abort()

    # A regex is matched inside the browser driver, so local requests never wait for Python.
    not_local = re.compile(rf"^(?!{re.escape(origin)}/|(?:{'|'.join(LOCAL_SCHEMES)}):)")
    page.route(not_local, block)
    page.on("console", report.on_console)
    page.on("pageerror", lambda error: report.console_errors.append(f"page error: {error}"))
    page.on("response", report.on_response)
    page.on("requestfailed", lambda request: report.failed.append(f"failed {request.url}"))
    response = page.goto(f"{origin}/{page_name}.html", wait_until="load")
    assert response is not None and response.ok, (
        f"{page_name}.html: HTTP {response and response.status}"
    )
    return page, report


def typeset_math(page) -> dict:
    """Wait for MathJax, then count math in the HTML and what MathJax rendered."""
    page.wait_for_function(
        "() => !document.querySelector('.math') || "
        "(window.MathJax && MathJax.startup && MathJax.startup.promise)",
        timeout=SETTLE_MS,
    )
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return page.evaluate(
        """() => ({
            math: document.querySelectorAll('span.math, div.math').length,
            rendered: document.querySelectorAll('mjx-container').length,
            errors: document.querySelectorAll('mjx-merror').length,
            raw: [...document.querySelectorAll('span.math, div.math')]
                 .filter(el => !el.querySelector('mjx-container'))
                 .map(el => el.textContent.slice(0, 60)),
        })"""
    )


def broken_images(page) -> list[str]:
    """Load every image (lazy ones too) and return those that did not decode."""
    page.evaluate(
        """async () => {
            const images = [...document.images];
            images.forEach(img => { img.loading = 'eager'; });
            window.scrollTo(0, document.body.scrollHeight);
            await Promise.all(images.map(img => img.complete ? null : new Promise(resolve => {
                img.addEventListener('load', resolve, {once: true});
                img.addEventListener('error', resolve, {once: true});
                setTimeout(resolve, 10000);
            })));
            window.scrollTo(0, 0);
        }"""
    )
    return page.evaluate(
        """() => [...document.images]
            .filter(img => !(img.complete && img.naturalWidth > 0))
            .map(img => img.getAttribute('src'))"""
    )


def sidebar_entries(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.bd-sidebar-primary nav a.reference')]
            .map(a => a.textContent.replace(/\\s+/g, ' ').trim())"""
    )


PAGES = toc_pages()


@pytest.mark.parametrize("page_name", PAGES)
def test_page_in_browser(browser, server, page_name):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, report = open_page(context, server, page_name)
        math = typeset_math(page)
        images = broken_images(page)
        entries = sidebar_entries(page)
        # The check is that the page settles with nothing left loading, not how fast: on a
        # 2-core machine whose other core runs a notebook, a chapter with thirty figures took
        # longer than Playwright's default 30 s.
        page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
    finally:
        context.close()

    assert not report.external, f"{page_name}: requests left 127.0.0.1: {report.external}"
    assert not report.failed, f"{page_name}: failed requests: {report.failed}"
    assert not report.console_errors, f"{page_name}: console errors: {report.console_errors}"
    if math["math"]:
        assert math["rendered"] >= math["math"] and not math["raw"], (
            f"{page_name}: MathJax typeset {math['rendered']} of {math['math']} formulas; "
            f"left raw: {math['raw'][:5]}"
        )
    assert math["errors"] == 0, f"{page_name}: {math['errors']} MathJax errors (mjx-merror)"
    assert not images, f"{page_name}: images that did not load: {images}"
    for title in chapter_titles():
        assert any(entry.endswith(title) for entry in entries), (
            f"{page_name}: the sidebar does not list chapter {title!r}; it has {entries}"
        )


# Pages whose tables and code blocks fit the column at 1280 px (688 px of text); a page joins
# the list once it fits, the goal being every page of _toc.yml.
COLUMN_PAGES = [
    "intro",
    "chapters/10_in_practice",
    "pages/cheatsheet",
    "pages/running",
    "pages/notation",
    "pages/references",
]


def wider_than_column(page) -> list[str]:
    """Every table or code block (shown ones) wider than the box that holds it, described."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main table, main pre')]
            .filter(el => el.offsetParent !== null)
            .map(el => {
                const box = el.closest('.pst-scrollable-table-container, .highlight,'
                    + ' .cell_output, .table-wrapper') || el.parentElement;
                return {el, box};
            })
            .filter(({el, box}) => el.scrollWidth > box.clientWidth + 1)
            .map(({el, box}) => `${el.tagName.toLowerCase()} ${el.scrollWidth} px in `
                + `${box.clientWidth} px: ${el.innerText.slice(0, 60).replace(/\\s+/g, ' ')}`)"""
    )


@pytest.mark.parametrize("page_name", COLUMN_PAGES)
def test_tables_and_code_fit_the_column(browser, server, page_name):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, _ = open_page(context, server, page_name)
        typeset_math(page)
        too_wide = wider_than_column(page)
    finally:
        context.close()
    assert not too_wide, f"{page_name}: wider than the column: {too_wide}"


def pdf_page_count(pdf: bytes) -> int:
    """The number of pages of a PDF, read from its bytes (no PDF library needed).

    Counts the page objects (``/Type /Page``), including those packed into compressed object
    streams, and checks the count against the ``/Count`` of the page tree's root.
    """
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass  # not a Flate stream (an image, say): no objects inside
    text = b"\n".join(parts)
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", text))
    counts = [int(n) for n in re.findall(rb"/Count\s+(\d+)", text)]
    assert pages > 0 and counts and max(counts) == pages, (
        f"cannot read the page count: {pages} page objects, /Count values {counts}"
    )
    return pages


def root_font_size(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


# Chromium's default print margins are about 10 mm; a little more leaves room for any printer.
PRINT_MARGIN = {side: "12mm" for side in ("top", "right", "bottom", "left")}


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_cheat_sheet_prints_on_one_page(browser, server, paper):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, _ = open_page(context, server, "pages/cheatsheet")
        typeset_math(page)
        page.emulate_media(media="print")
        pdf = page.pdf(format=paper, margin=PRINT_MARGIN)
        font_size = {"cheat sheet": root_font_size(page)}
        other, _ = open_page(context, server, "pages/notation")
        other.emulate_media(media="print")
        font_size["another page"] = root_font_size(other)
    finally:
        context.close()
    pages = pdf_page_count(pdf)
    assert pages == 1, f"the cheat sheet prints on {pages} {paper} pages"
    # The print CSS is scoped to the cheat sheet: another page keeps the theme's type size.
    assert font_size["cheat sheet"] < font_size["another page"], font_size


def test_intro_has_math(browser, server):
    """The intro page shows a formula: proof that the math check above is not vacuous."""
    context = browser.new_context()
    try:
        page, report = open_page(context, server, "intro")
        math = typeset_math(page)
    finally:
        context.close()
    assert math["math"] > 0 and math["rendered"] >= math["math"], math
