"""Keep every page of the book self-contained and its scripts valid.

Jupyter Book 1.x always loads the sphinx-thebe extension, even with thebe off (as in this
book: the launch buttons are plain links). That extension adds an inline script declaring
`const THEBE_JS_URL = "<a CDN address>"`, and under Sphinx 7.4 inline scripts added by an
extension after the builder started are emitted twice (once with filename None, once with
""), so the page logs "Identifier 'THEBE_JS_URL' has already been declared".

This extension drops sphinx-thebe's scripts (nothing on a page uses them with thebe off, and
they name a CDN) and removes exact duplicates among the remaining scripts.

It also places the chapter 11 playground's files (_static/playground/). Jupyter Book adds every
.js and .css file under _static to every page, in the order the file system lists them; the
playground's belong only on the page that hosts it (the one with id="wtinit-playground"), in the
order they depend on each other, deferred so that they run after the page is parsed.
tests/book/test_book_html.py and tests/book/test_playground.py check the result in a browser.
"""

from __future__ import annotations

from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

PLAYGROUND = "_static/playground/"
PLAYGROUND_MARKER = 'id="wtinit-playground"'
# In load order: the chart library, the compiled kernels, the engine, then the page's code.
PLAYGROUND_SCRIPTS = (
    "vendor/uplot/uPlot.iife.min.js",
    "kernels.js",
    "engine.js",
    "playground.js",
)
PLAYGROUND_STYLES = ("vendor/uplot/uPlot.min.css", "playground.css")


def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", script) or "")
    body = getattr(script, "attributes", {}).get("body", "")
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def _is_playground(asset) -> bool:
    return str(getattr(asset, "filename", asset) or "").startswith(PLAYGROUND)


def _place_playground(context) -> None:
    hosts = PLAYGROUND_MARKER in context.get("body", "")
    # New lists: the context's may be the builder's own, shared by every page.
    styles = context.get("css_files")
    if isinstance(styles, list):
        styles = [css for css in styles if not _is_playground(css)]
        if hosts:
            styles += [_CascadingStyleSheet(PLAYGROUND + name) for name in PLAYGROUND_STYLES]
        context["css_files"] = styles
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts = [js for js in scripts if not _is_playground(js)]
        if hosts:
            scripts += [
                _JavaScript(PLAYGROUND + name, defer="defer") for name in PLAYGROUND_SCRIPTS
            ]
        context["script_files"] = scripts


def _clean_scripts(app, pagename, templatename, context, doctree):
    _place_playground(context)
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen = set()
    kept = []
    for script in scripts:
        if _is_thebe(script):
            continue
        attributes = getattr(script, "attributes", {})
        key = (
            str(getattr(script, "filename", script) or ""),
            getattr(script, "priority", 500),
            tuple(sorted(attributes.items())),
        )
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept


def setup(app):
    # Late priority: after the theme and the other extensions have added their scripts.
    app.connect("html-page-context", _clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
