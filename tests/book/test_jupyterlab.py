"""JupyterLab shows a chapter as the book does, and opening it changes nothing.

Starts the venv's JupyterLab on 127.0.0.1 (a free port, a random token, temporary config,
data, runtime, settings and workspace directories) serving copies of two chapters in a temporary
folder, so nothing in chapters/ is touched, and drives it with Debian's Chromium:

- a chapter is not marked modified after it opens and its kernel has started (the stored
  kernelspec and language_info are what JupyterLab writes, see tools/clean_notebooks.py);
- jupyterlab-myst renders its MyST: every solution is a folded dropdown, no `:::` shows, a
  citation shows its key rather than the raw `{cite}` role;
- Run All gives no error and no stderr output;
- the playground, run and saved, reopens in a new kernel with its widgets and without
  "Error displaying widget: model not found" (tools/jupyterlab-overrides.json: saveState).

The browser loads nothing from off the host. `--LabApp.expose_app_in_browser` gives the test
`window.jupyterapp`, so it reads the notebook model (dirty flag, outputs) instead of guessing from
pixels. This module is one file, so `--dist loadfile` runs it in a single xdist worker.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from book_toc import ROOT
from chromium import block_external, launch

CHAPTERS = ROOT / "chapters"
SHORT_CHAPTER = "02_zero_init.ipynb"
PLAYGROUND = "11_playground.ipynb"
OVERRIDES = ROOT / "tools" / "jupyterlab-overrides.json"
INSTALLED_OVERRIDES = (
    Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "wtinit-book.json"
)
# How long JupyterLab may take to mark a freshly opened notebook modified: measured, it does so
# within about 1 s of the kernel's first reply when the stored metadata differ.
DIRTY_WINDOW_MS = 4000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_chapter(name: str, folder: Path) -> Path:
    """Copy a chapter into ``folder``; only ``language_info.version`` may be adapted.

    That one field is the version of the Python that executed the chapters. JupyterLab
    compares it with the kernel's, so on a machine with another Python it would mark any
    chapter modified; the copy carries this venv's version so that the test checks everything
    else that the repository controls.
    """
    nb = json.loads((CHAPTERS / name).read_text(encoding="utf-8"))
    nb["metadata"].setdefault("language_info", {})["version"] = platform.python_version()
    target = folder / name
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def first_cell_after_widget(path: Path) -> int:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    # The first playground's controls: the cell that ends with a SignalPlayground.
    widget = next(
        i for i, c in enumerate(cells) if "playground.SignalPlayground(" in "".join(c["source"])
    )
    return widget + 1


class Lab:
    def __init__(self, url: str, token: str, folder: Path):
        self.url, self.token, self.folder = url, token, folder

    def tree(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    assert INSTALLED_OVERRIDES.is_file() and json.loads(
        INSTALLED_OVERRIDES.read_text(encoding="utf-8")
    ) == json.loads(OVERRIDES.read_text(encoding="utf-8")), (
        f"{INSTALLED_OVERRIDES} is missing or differs from {OVERRIDES}: run `make venv`"
    )
    base = tmp_path_factory.mktemp("jupyterlab")
    folder = base / "notebooks"
    folder.mkdir()
    for name in (SHORT_CHAPTER, PLAYGROUND):
        copy_chapter(name, folder)
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",  # the venv's kernel and extensions still come first
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": base / "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
    }
    for path in dirs.values():
        path.mkdir()
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}, "JUPYTER_PREFER_ENV_PATH": "1"}
    token = secrets.token_hex(16)
    command = [
        str(Path(sys.executable).with_name("jupyter-lab")),
        "--ip=127.0.0.1",
        f"--port={free_port()}",
        "--no-browser",
        f"--ServerApp.root_dir={folder}",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = wait_for_server(process, dirs["JUPYTER_RUNTIME_DIR"], token, log_path)
        yield Lab(url, token, folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_server(process, runtime_dir: Path, token: str, log_path: Path) -> str:
    """The server's URL once /api/status answers (read from its jpserver-*.json)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log_path.read_text()}")
        infos = list(runtime_dir.glob("jpserver-*.json"))
        if infos:
            info = json.loads(infos[0].read_text(encoding="utf-8"))
            url = f"http://127.0.0.1:{info['port']}"
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        return url
            except OSError:
                pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within 90 s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class LabPage:
    """One browser page on JupyterLab: what left the host, what the console said."""

    def __init__(self, browser, lab: Lab):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.external: list[str] = []
        self.page_errors: list[str] = []
        block_external(self.page, lab.url, self.external)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.lab = lab

    def open(self, name: str) -> None:
        """Open notebook ``name`` and wait until its kernel has answered and is idle."""
        self.page.goto(self.lab.tree(name), wait_until="domcontentloaded")
        self.page.wait_for_function(
            """name => {
                const w = window.jupyterapp && jupyterapp.shell.currentWidget;
                const kernel = w && w.sessionContext && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                return w && w.context && w.context.isReady && w.context.path === name
                    && kernel && kernel.status === 'idle'
                    && kernel.connectionStatus === 'connected';
            }""",
            arg=name,
            timeout=120_000,
        )

    def wait_markdown_rendered(self) -> None:
        """Wait until every markdown cell shows rendered output (by jupyterlab-myst or not):
        JupyterLab renders a notebook's cells progressively, the last ones after the kernel is
        idle, and later still on a loaded machine."""
        self.page.wait_for_function(
            """() => jupyterapp.shell.currentWidget.content.widgets
                .filter(c => c.model.type === 'markdown')
                .every(c => c.node.querySelector('.myst, .jp-MarkdownOutput'))""",
            timeout=120_000,
        )

    def evaluate(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def dirty_within(self, milliseconds: int) -> dict:
        """Watch the notebook model's dirty flag for a while, after the kernel's replies."""
        return self.evaluate(
            """async ms => {
                const w = jupyterapp.shell.currentWidget;
                const kernel = w.sessionContext.session.kernel;
                await kernel.info;
                await kernel.spec;
                const start = Date.now();
                while (Date.now() - start < ms && !w.model.dirty) {
                    await new Promise(resolve => setTimeout(resolve, 100));
                }
                return {
                    dirty: w.model.dirty,
                    after_ms: Date.now() - start,
                    kernelspec: w.model.getMetadata('kernelspec'),
                    language_info: w.model.getMetadata('language_info'),
                };
            }""",
            milliseconds,
        )

    def run_all(self, above: int | None = None, timeout_ms: int = 300_000) -> None:
        """Run All (or Run All Above cell ``above``) and wait until every such cell ran."""
        self.evaluate(
            """above => {
                const w = jupyterapp.shell.currentWidget;
                if (above === null) {
                    jupyterapp.commands.execute('notebook:run-all-cells');
                } else {
                    w.content.activeCellIndex = above;
                    jupyterapp.commands.execute('notebook:run-all-above');
                }
            }""",
            above,
        )
        self.page.wait_for_function(
            """above => {
                const w = jupyterapp.shell.currentWidget;
                const all = w.content.widgets;
                const cells = above === null ? all : all.slice(0, above);
                const code = cells.filter(c => c.model.type === 'code');
                return code.length > 0
                    && code.every(c => c.model.executionCount !== null
                                       && c.model.executionState !== 'running')
                    && w.sessionContext.session.kernel.status === 'idle';
            }""",
            arg=above,
            timeout=timeout_ms,
        )

    def bad_outputs(self) -> list[str]:
        """Error outputs and stderr streams of every cell, from the notebook model."""
        return self.evaluate(
            """() => jupyterapp.shell.currentWidget.content.widgets.flatMap((cell, index) =>
                cell.model.type !== 'code' ? [] : cell.model.toJSON().outputs
                    .filter(o => o.output_type === 'error'
                                 || (o.output_type === 'stream' && o.name === 'stderr'))
                    .map(o => `cell ${index}: ` + (o.ename ? `${o.ename}: ${o.evalue}`
                                                   : [].concat(o.text).join('').slice(0, 300))))"""
        )

    def close(self) -> None:
        self.context.close()


def test_chapter_opens_unmodified_renders_myst_and_runs_clean(browser, lab):
    nb = json.loads((lab.folder / SHORT_CHAPTER).read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    dropdowns = sum(s.count(":class: dropdown") for s in sources)
    assert dropdowns, f"{SHORT_CHAPTER} has no dropdown solution: pick a chapter with one"

    tab = LabPage(browser, lab)
    try:
        tab.open(SHORT_CHAPTER)
        opened = tab.dirty_within(DIRTY_WINDOW_MS)
        tab.wait_markdown_rendered()
        rendered = tab.evaluate(
            """() => {
                const w = jupyterapp.shell.currentWidget;
                const md = w.content.widgets.filter(c => c.model.type === 'markdown');
                const details = md.flatMap(c => [...c.node.querySelectorAll('details')]);
                return {
                    unrendered: md.filter(c => !c.rendered).length,
                    // jupyterlab-myst renders a markdown cell into a `.myst` widget in place of
                    // JupyterLab's own `.jp-MarkdownOutput`.
                    myst: md.filter(c => c.node.querySelector('.jp-InputArea > .myst')).length,
                    cells: md.length,
                    details: details.length,
                    open: details.filter(d => d.open).length,
                    summaries: details.map(d => d.querySelector('summary')
                                                ? d.querySelector('summary').textContent.trim()
                                                : ''),
                    raw: md.map(c => c.node.querySelector('.myst, .jp-MarkdownOutput'))
                           .filter(o => o && /:::|\\{admonition\\}|:class:/.test(o.textContent))
                           .map(o => o.textContent.slice(0, 80)),
                    math: md.reduce((n, c) => n + c.node.querySelectorAll('.katex').length, 0),
                };
            }"""
        )
        tab.run_all()
        errors = tab.bad_outputs()
        widget_errors = tab.page.get_by_text("Error displaying widget").count()
    finally:
        tab.close()

    assert not opened["dirty"], (
        f"JupyterLab marked {SHORT_CHAPTER} modified {opened['after_ms']} ms after its kernel "
        f"answered; it now holds kernelspec {opened['kernelspec']} and language_info "
        f"{opened['language_info']}: update KERNELSPEC in tools/clean_notebooks.py and run "
        "`python tools/clean_notebooks.py --metadata-only chapters/*.ipynb`"
    )
    assert rendered["unrendered"] == 0, rendered
    assert rendered["myst"] == rendered["cells"], (
        f"not every cell rendered by jupyterlab-myst: {rendered}"
    )
    assert not rendered["raw"], f"MyST shown as raw text (is jupyterlab-myst active?): {rendered}"
    assert rendered["details"] == dropdowns, (
        f"{dropdowns} dropdown solutions in the source, {rendered['details']} rendered: {rendered}"
    )
    assert rendered["open"] == 0, f"solutions shown unfolded: {rendered}"
    assert all(s.startswith("Solution") for s in rendered["summaries"]), rendered["summaries"]
    assert rendered["math"] > 0, "no formula typeset by jupyterlab-myst"
    assert not errors, f"Run All in JupyterLab gave error or stderr outputs: {errors}"
    assert widget_errors == 0
    assert not tab.external, f"JupyterLab requested off-host addresses: {tab.external}"
    assert not tab.page_errors, f"page errors: {tab.page_errors}"


def test_stale_metadata_is_marked_modified(browser, lab):
    """The check above is not vacuous: the metadata stored before this fix are rewritten."""
    name = "stale_metadata.ipynb"
    nb = json.loads((lab.folder / SHORT_CHAPTER).read_text(encoding="utf-8"))
    nb["metadata"] = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    (lab.folder / name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    tab = LabPage(browser, lab)
    try:
        tab.open(name)
        opened = tab.dirty_within(DIRTY_WINDOW_MS)
        tab.evaluate("() => jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    finally:
        tab.close()
    assert opened["dirty"], opened


def test_saved_playground_reopens_with_its_widgets(browser, lab):
    tab = LabPage(browser, lab)
    try:
        tab.open(PLAYGROUND)
        tab.wait_markdown_rendered()
        cites = tab.evaluate(
            """() => jupyterapp.shell.currentWidget.content.widgets
                .filter(c => c.model.type === 'markdown')
                .map(c => c.node.querySelector('.myst, .jp-MarkdownOutput'))
                .filter(o => o).map(o => o.textContent).join(' ')"""
        )
        # The cells up to the first widget: the preset figures after it add nothing here.
        tab.run_all(above=first_cell_after_widget(lab.folder / PLAYGROUND))
        tab.page.locator(".widget-slider").first.wait_for(state="attached")
        errors = tab.bad_outputs()
        # JupyterLab signs a saved notebook (and so renders its widgets when reopened) only if
        # every output is trusted. A reader gets that from Run All or from the Trust Notebook
        # command; this is that command's effect, without its confirmation dialog.
        tab.evaluate(
            """async () => {
                const w = jupyterapp.shell.currentWidget;
                w.content.widgets.forEach(cell => { cell.model.trusted = true; });
                await jupyterapp.commands.execute('docmanager:save');
                await w.sessionContext.shutdown();
            }"""
        )
    finally:
        tab.close()
    assert not errors, f"Run All in JupyterLab gave error or stderr outputs: {errors}"
    # jupyterlab-myst 2.7 reads no bibliography: a citation shows its key (marked "Citation Not
    # Found"), never the raw role.
    text = (lab.folder / PLAYGROUND).read_text(encoding="utf-8")
    # {cite}`a,b` cites two works: each key is checked.
    keys = [k.strip() for group in re.findall(r"\{cite\}`([^`]+)`", text) for k in group.split(",")]
    assert keys and "{cite}" not in cites, "citations shown as raw {cite} text"
    missing = [key for key in keys if key not in cites]
    assert not missing, f"citation keys {missing} not rendered"
    saved = json.loads((lab.folder / PLAYGROUND).read_text(encoding="utf-8"))
    state = saved["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    assert state and state.get("state"), "JupyterLab saved no widget state (saveState is off?)"

    # A new page and a new kernel: the widget models can only come from the saved state.
    tab = LabPage(browser, lab)
    try:
        tab.open(PLAYGROUND)
        sliders = tab.page.locator(".jp-Notebook .widget-slider")
        sliders.first.wait_for(state="attached")
        count = sliders.count()
        widget_errors = tab.page.get_by_text("Error displaying widget").count()
    finally:
        tab.close()
    assert widget_errors == 0, "the saved playground shows 'Error displaying widget'"
    assert count >= 3, f"{count} sliders after reopening (depth, width, scale expected)"
