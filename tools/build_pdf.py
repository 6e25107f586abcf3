"""Print the whole book as one PDF, offline: `make pdf` writes _build/pdf/book.pdf.

1. Jupyter Book's single-page HTML build of the book (`--builder singlehtml`) into its own
   folder (_build/pdf/_build/singlehtml, with its own doctrees, so it never races `make book`).
2. That page is served on 127.0.0.1 and opened in Debian's Chromium through Playwright, which
   blocks and reports any request that would leave the host.
3. In the page: MathJax (the bundled copy) finishes typesetting; every solution dropdown is
   opened; print CSS wraps code and outputs instead of cutting them and starts each chapter on
   a new page; anything still wider than the text (a long formula, a table) is scaled down to
   fit; the front page's table of contents gets dotted leaders and page numbers.
4. Chromium prints it (A4, the book's title in the header, "page / pages" in the footer, PDF
   bookmarks from the headings). Printing twice gives the contents their page numbers: the first
   print finds the page each entry starts on (from an invisible marker per entry), the second,
   with the same layout, prints those numbers.

Figures are the notebooks' own PNGs, embedded losslessly at their full resolution (Chromium never
rasterizes them again). What was measured (the page of each contents entry, dropdowns opened,
what was scaled down, size, seconds) goes to book.json beside the PDF; tests/book/test_pdf.py checks
the PDF itself.

Usage: python tools/build_pdf.py [--workdir DIR] [--skip-html]
  --workdir DIR  where the HTML build and book.pdf go (default: _build/pdf)
  --skip-html    reuse DIR's single-page HTML (no rebuild)
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
CHROMIUM_ARGS += ["--disable-background-networking", "--disable-component-update"]
TITLE = "Weight Initialization, Hands-On"
# A4 with 16 mm side margins: 178 mm of text, 672.8 CSS px at 96 px per inch. The page is laid
# out in a viewport of exactly that width, so what is measured in it is what gets printed.
PAPER = {"format": "A4", "width_mm": 210.0, "height_mm": 297.0}
MARGIN_MM = {"top": 20.0, "bottom": 18.0, "left": 16.0, "right": 16.0}
CONTENT_WIDTH_PX = int((PAPER["width_mm"] - MARGIN_MM["left"] - MARGIN_MM["right"]) / 25.4 * 96)
MARKER = "@@toc-{index}@@"

PRINT_CSS = """
@media print {
  html, body { background: #fff !important; }
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
  .bd-footer-article, .bd-footer-content, .prev-next-area, .headerlink, .copybtn, .toggle-button,
  #pst-back-to-top, .search-button-field, .bd-search, .skip-link, .sbt-scroll-pixel-helper,
  .tag_hide-input > details.hide > summary { display: none !important; }
  .bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content,
  .bd-article-container, .bd-article { display: block !important; max-width: none !important;
    width: auto !important; margin: 0 !important; padding: 0 !important; }
  /* Code and outputs wrap at the margin instead of running past it (and overflow stays
     visible everywhere, so a line that still does not fit would show, not vanish). */
  pre, pre span, code, kbd, samp, .highlight, .output, .cell_output, .cell_output *,
  div.highlight pre { white-space: pre-wrap !important; overflow-wrap: anywhere !important;
    word-break: normal; overflow: visible !important; max-height: none !important; }
  .cell_output, .cell_input, div.highlight, pre, table, mjx-container {
    overflow: visible !important; }
  pre { font-size: 8.5pt !important; line-height: 1.35 !important; }
  img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
  .cell_output img { display: block; margin: 0 auto; }
  h1, h2, h3, h4, .admonition-title { break-after: avoid; }
  .admonition, .cell, figure, tr { break-inside: auto; }
  .cell_output .output.text_plain, .cell_output .output.stream { break-inside: avoid-page; }
  /* Each document of the book (front page, chapters, pages) starts on a new page. */
  span[id^="document-"] + section { break-before: page; }
  /* The solutions print open: the toggle's hidden state is ignored. */
  .admonition.dropdown > *:not(.admonition-title), .toggle-hidden {
    display: block !important; visibility: visible !important; height: auto !important; }
  /* Contents: dotted leaders and page numbers. */
  #jb-print-docs-body h1 { margin: 0 0 0.6em 0; }
  #jb-print-toc h2 { margin: 0 0 0.4em 0; }
  #jb-print-toc p.caption { margin: 0.7em 0 0.2em 0; font-weight: 600; }
  #jb-print-toc ul { list-style: none !important; padding-left: 1.2em; margin: 0; }
  #jb-print-toc li { list-style: none !important; margin: 0.15em 0; }
  #jb-print-toc li::marker { content: none; }
  #jb-print-toc li a { display: flex; align-items: baseline; color: inherit;
    text-decoration: none; }
  #jb-print-toc .pdf-toc-title { flex: 0 1 auto; }
  #jb-print-toc .pdf-toc-dots { flex: 1 1 auto; border-bottom: 1px dotted #777;
    margin: 0 0.4em; min-width: 2em; }
  #jb-print-toc .pdf-toc-page { flex: 0 0 auto; min-width: 2em; text-align: right;
    font-variant-numeric: tabular-nums; }
  #jb-print-docs-body { break-after: page; }
  .pdf-toc-marker { position: absolute; left: 0; font-size: 4px; line-height: 1;
    color: #fff; }
}
"""

HEADER = (
    '<div style="font-size:7.5pt;color:#555;width:100%;padding:0 16mm;'
    'font-family:sans-serif;"><span class="title"></span></div>'
)
FOOTER = (
    '<div style="font-size:8pt;color:#555;width:100%;padding:0 16mm;text-align:center;'
    'font-family:sans-serif;"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)


class BuildError(RuntimeError):
    pass


def build_singlehtml(workdir: Path) -> Path:
    """Jupyter Book's single-page build of the whole book, into ``workdir``."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    if not jupyter_book.is_file():
        raise BuildError(f"{jupyter_book} is missing: run `make venv` first")
    command = [str(jupyter_book), "build", str(ROOT), "--builder", "singlehtml"]
    command += ["--path-output", str(workdir), "-W", "-n", "--keep-going", "--all"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        log = result.stdout + result.stderr
        problems = [ln for ln in log.splitlines() if "WARNING" in ln or "ERROR" in ln]
        raise BuildError(
            "the single-page HTML build failed (`make book` shows the same warnings):\n"
            + "\n".join(problems[:40] or [log[-5000:]])
        )
    return workdir / "_build" / "singlehtml"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def serve(directory: Path):
    handler = functools.partial(QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def prepare_page(page) -> dict:
    """Typeset, open the solutions, fit wide content, and build the contents in the page."""
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000
    )
    page.evaluate("() => MathJax.startup.promise")
    page.add_style_tag(content=PRINT_CSS)
    return page.evaluate(
        """([title, marker]) => {
            document.title = title;
            // Solutions: sphinx-togglebutton's dropdown admonitions and any <details> dropdown.
            let opened = 0;
            document.querySelectorAll('.admonition.dropdown').forEach(el => {
                el.classList.remove('toggle-hidden');
                el.classList.add('toggle-shown');
                el.querySelectorAll('.toggle-hidden').forEach(c => {
                    c.classList.remove('toggle-hidden');
                });
                opened += 1;
            });
            document.querySelectorAll('details.dropdown, details.sd-dropdown').forEach(el => {
                el.open = true;
                opened += 1;
            });
            // Math that MathJax left untypeset would print as TeX source.
            const raw = [...document.querySelectorAll('span.math, div.math')]
                .filter(el => !el.querySelector('mjx-container'))
                .map(el => el.textContent.slice(0, 60));
            const errors = document.querySelectorAll('mjx-merror').length;
            // Contents: a title, dotted leaders, a page number (filled in by the second print).
            const entries = [];
            document.querySelectorAll('#jb-print-toc nav a').forEach((a, index) => {
                const id = decodeURIComponent((a.getAttribute('href') || '').split('#')[1] || '');
                let target = id ? document.getElementById(id) : null;
                if (target && target.tagName === 'SPAN') target = target.nextElementSibling;
                if (!target) target = document.querySelector('article.bd-article section');
                const heading = target.querySelector('h1, h2') || target;
                const text = a.textContent.replace(/\\s+/g, ' ').trim();
                a.textContent = '';
                const t = document.createElement('span');
                t.className = 'pdf-toc-title';
                t.textContent = text;
                const dots = document.createElement('span');
                dots.className = 'pdf-toc-dots';
                const number = document.createElement('span');
                number.className = 'pdf-toc-page';
                number.textContent = '000';
                a.append(t, dots, number);
                const mark = document.createElement('span');
                mark.className = 'pdf-toc-marker';
                mark.textContent = marker.replace('{index}', index);
                heading.style.position = 'relative';
                heading.prepend(mark);
                entries.push({title: text, heading: heading.textContent.slice(0, 120)});
            });
            return {opened, raw, errors, entries,
                    sections: document.querySelectorAll('span[id^="document-"]').length};
        }""",
        [TITLE, MARKER],
    )


def fit_wide_content(page) -> list[str]:
    """Scale down whatever is still wider than the text column (long formulas, tables)."""
    return page.evaluate(
        """() => {
            const article = document.querySelector('article.bd-article');
            const box = article.getBoundingClientRect();
            const shrunk = [];
            const wide = article.querySelectorAll(
                'mjx-container[display="true"], table, .cell_output img, .cell_output svg, pre');
            wide.forEach(el => {
                // A display formula's box is the column; the formula inside (mjx-math) is
                // centred in it and, when wider, sticks out on both sides.
                const inner = el.tagName === 'MJX-CONTAINER' && el.querySelector('mjx-math');
                const r = (inner || el).getBoundingClientRect();
                const width = Math.max(inner ? 0 : el.scrollWidth, r.width);
                const room = box.right - Math.max(box.left, inner ? box.left : r.left);
                if ((width > room + 0.5 || r.left < box.left - 0.5) && room > 0) {
                    const factor = Math.floor(Math.min(1, room / width) * 1000) / 1000;
                    el.style.zoom = factor;
                    shrunk.push(`${el.tagName.toLowerCase()} x${factor}`);
                }
            });
            return shrunk;
        }"""
    )


def print_pdf(page, path: Path) -> None:
    page.pdf(
        path=str(path),
        format=PAPER["format"],
        margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
        print_background=True,
        display_header_footer=True,
        header_template=HEADER,
        footer_template=FOOTER,
        outline=True,
        tagged=True,
    )


def page_texts(path: Path) -> list[str]:
    """The text of every page (PDFium, the engine Chromium itself uses: fast)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def marker_pages(path: Path, count: int) -> list[int]:
    """The 1-based page on which each contents entry's marker was printed."""
    found: dict[int, int] = {}
    pattern = re.compile(MARKER.replace("{index}", r"(\d+)"))
    for number, text in enumerate(page_texts(path), start=1):
        for match in pattern.finditer(re.sub(r"\s+", "", text)):
            found.setdefault(int(match.group(1)), number)
    missing = [i for i in range(count) if i not in found]
    if missing:
        raise BuildError(f"contents entries {missing} were not found in the first print")
    return [found[i] for i in range(count)]


def build_pdf(workdir: Path, skip_html: bool = False) -> dict:
    """Build ``workdir``/book.pdf and return what was measured on the way."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        raise BuildError(
            f"{CHROMIUM} is missing: install Debian's Chromium (`sudo apt-get install chromium`). "
            "Never `playwright install`."
        )
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    html_dir = workdir / "_build" / "singlehtml"
    if not (skip_html and (html_dir / "intro.html").is_file()):
        html_dir = build_singlehtml(workdir)
    html_seconds = time.monotonic() - started
    from playwright.sync_api import sync_playwright

    output = workdir / "book.pdf"
    external: list[str] = []
    httpd, origin = serve(html_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport={"width": CONTENT_WIDTH_PX, "height": 1000})

                def block(route):
                    external.append(route.request.url)
                    route.abort()

                local = rf"^(?!{re.escape(origin)}/|(?:data|about|blob):)"
                page.route(re.compile(local), block)
                page.emulate_media(media="print")
                page.goto(f"{origin}/intro.html", wait_until="load", timeout=120_000)
                report = prepare_page(page)
                timings = {"typeset": time.monotonic()}
                if report["raw"] or report["errors"]:
                    raise BuildError(f"MathJax left formulas untypeset: {report}")
                report["shrunk"] = fit_wide_content(page)
                with tempfile.TemporaryDirectory() as tmp:
                    first = Path(tmp) / "first.pdf"
                    print_pdf(page, first)
                    timings["first print"] = time.monotonic()
                    pages = marker_pages(first, len(report["entries"]))
                page.evaluate(
                    """pages => {
                        document.querySelectorAll('.pdf-toc-marker').forEach(m => m.remove());
                        document.querySelectorAll('#jb-print-toc .pdf-toc-page')
                            .forEach((el, i) => { el.textContent = String(pages[i]); });
                    }""",
                    pages,
                )
                print_pdf(page, output)
                timings["second print"] = time.monotonic()
            finally:
                browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    if external:
        raise BuildError(f"the book requested off-host addresses while printing: {external}")
    for entry, number in zip(report["entries"], pages):
        entry["page"] = number
    marks = [started + html_seconds, *timings.values()]
    steps = {name: round(b - a, 1) for name, a, b in zip(timings, marks, marks[1:])}
    report.update(
        steps_seconds=steps,
        pdf=str(output),
        bytes=output.stat().st_size,
        html_seconds=round(html_seconds, 1),
        seconds=round(time.monotonic() - started, 1),
    )
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "_build" / "pdf")
    parser.add_argument("--skip-html", action="store_true")
    args = parser.parse_args(argv)
    try:
        report = build_pdf(args.workdir.resolve(), skip_html=args.skip_html)
    except BuildError as error:
        print(f"build_pdf: {error}", file=sys.stderr)
        return 1
    summary = args.workdir.resolve() / "book.json"
    summary.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {report['pdf']}: {report['bytes'] / 1e6:.1f} MB in {report['seconds']} s "
        f"(HTML build {report['html_seconds']} s); details in {summary}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
