"""Keep every page of the book self-contained and its scripts valid.

Jupyter Book 1.x always loads the sphinx-thebe extension, even with thebe off (as in this
book: the launch buttons are plain links). That extension adds an inline script declaring
`const THEBE_JS_URL = "<a CDN address>"`, and under Sphinx 7.4 inline scripts added by an
extension after the builder started are emitted twice (once with filename None, once with
""), so the page logs "Identifier 'THEBE_JS_URL' has already been declared".

This extension drops sphinx-thebe's scripts (nothing on a page uses them with thebe off, and
they name a CDN) and removes exact duplicates among the remaining scripts.
tests/book/test_book_html.py checks the result in a browser.
"""

from __future__ import annotations


def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", script) or "")
    body = getattr(script, "attributes", {}).get("body", "")
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def _clean_scripts(app, pagename, templatename, context, doctree):
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
