"""The chapters are stored clean: listed in the table of contents, executed in order, small.

nbval (run on chapters/ by the same `pytest`) proves that the stored outputs are current; these
checks make sure there is something sound to compare against, and that the book and the
repository agree on which pages exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from book_toc import ROOT, toc_pages

CHAPTERS = ROOT / "chapters"
MAX_BYTES = 2 * 1024 * 1024
ABSOLUTE_PATHS = re.compile(r"(/work/|/root/|/home/|/tmp/|/Users/|\b[A-Za-z]:\\Users\\)")

NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def output_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    if output["output_type"] == "error":
        return "\n".join(output.get("traceback", []))
    data = output.get("data", {})
    return "".join(
        "".join(value) if isinstance(value, list) else str(value)
        for key, value in data.items()
        if key.startswith("text/") or key.endswith("json")
    )


def test_there_are_chapters():
    assert NOTEBOOKS, "chapters/ holds no notebook"


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    entries = toc_pages()
    listed = {e for e in entries if e.startswith("chapters/")}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    on_disk |= {str(p.relative_to(ROOT).with_suffix("")) for p in CHAPTERS.glob("*.md")}
    assert not on_disk - listed, f"in chapters/ but not in _toc.yml: {sorted(on_disk - listed)}"
    missing = [
        e
        for e in entries
        if not any((ROOT / e).with_suffix(ext).is_file() for ext in (".ipynb", ".md"))
    ]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"
    assert len(entries) == len(set(entries)), "_toc.yml lists a page twice"


NB_IDS = [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_is_small(path):
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size / 1e6:.1f} MB (limit 2 MB): smaller figures?"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_uses_python3_kernel(path):
    nb = load(path)
    assert nb["nbformat"] == 4
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: kernelspec must be python3 (the venv's kernel); run `make notebooks`"
    )


def kernel_metadata() -> tuple[dict, dict]:
    """The kernelspec and language_info JupyterLab writes when it opens a notebook here."""
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    kernelspec = {"name": KERNEL_NAME, "display_name": spec["display_name"]}
    kernelspec["language"] = spec["language"]
    return kernelspec, dict(IPythonKernel.language_info)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    # JupyterLab replaces kernelspec and language_info with the kernel's values on opening and
    # marks the notebook modified unless they are deep-equal (test_jupyterlab.py shows it).
    # language_info.version is the Python that executed the chapters, so it is checked for its
    # form and for being the same in every chapter, not against this machine's Python.
    fix = "run `python tools/clean_notebooks.py --metadata-only chapters/*.ipynb`"
    kernelspec, language_info = kernel_metadata()
    metadata = load(path)["metadata"]
    assert metadata.get("kernelspec") == kernelspec, f"{path.name}: {fix}"
    stored = dict(metadata.get("language_info", {}))
    version = stored.pop("version", "")
    language_info.pop("version")
    assert stored == language_info, f"{path.name}: language_info {stored}: {fix}"
    assert re.fullmatch(r"3\.\d+\.\d+", version), f"{path.name}: version {version!r}: {fix}"


def test_chapters_were_executed_by_one_python():
    versions = {load(p)["metadata"].get("language_info", {}).get("version") for p in NOTEBOOKS}
    assert len(versions) == 1, (
        f"language_info.version differs between chapters: {sorted(map(str, versions))}; "
        "`make notebooks` executes them all with the venv's Python"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_title_has_no_manual_number(path):
    # _toc.yml numbers the chapters; a title "# 3. ..." would show as "3. 3. ..." in the book.
    nb = load(path)
    first = next((c for c in nb["cells"] if c["cell_type"] == "markdown"), None)
    assert first is not None, f"{path.name}: the first cells should hold a '# Title' heading"
    heading = next((ln for ln in "".join(first["source"]).splitlines() if ln.startswith("# ")), "")
    assert heading, f"{path.name}: the first markdown cell has no '# Title' heading"
    assert not re.match(r"#\s+\d+(\.\d+)*[.:]?\s", heading), (
        f"{path.name}: drop the number from {heading!r}; _toc.yml numbers chapters"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_is_executed_in_order(path):
    cells = code_cells(load(path))
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(cells)}: "
        "run `make notebooks` (Restart & Run All)"
    )
    assert any(c.get("outputs") for c in cells), f"{path.name}: no outputs stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_has_no_stderr_or_errors(path):
    for index, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name} cell {index}: stored error"
            assert not (output["output_type"] == "stream" and output.get("name") == "stderr"), (
                f"{path.name} cell {index}: stderr output "
                f"{output_text(output)[:200]!r} (silence it at the source)"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_has_no_absolute_paths(path):
    for index, cell in enumerate(load(path)["cells"]):
        texts = ["".join(cell["source"])] + [output_text(o) for o in cell.get("outputs", [])]
        for text in texts:
            match = ABSOLUTE_PATHS.search(text)
            assert match is None, (
                f"{path.name} cell {index}: absolute path {match.group(0)!r} in "
                f"...{text[max(0, match.start() - 40) : match.end() + 40]!r}..."
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_has_no_widget_state(path):
    # JupyterLab saves widget state here (tools/jupyterlab-overrides.json), so that a reader's
    # saved playground reopens with its widgets. The stored chapters carry none: it is a
    # snapshot of one session's sliders, and the book's pages do not use it.
    nb = load(path)
    assert "widgets" not in nb["metadata"], (
        f"{path.name}: widget state stored in metadata; run `python tools/clean_notebooks.py "
        f"chapters/{path.name}` (or `make notebooks`)"
    )
    for index, cell in enumerate(nb["cells"]):
        assert "widgets" not in cell.get("metadata", {}), f"{path.name} cell {index}"


def repository_url() -> str:
    match = re.search(r"^repository:\s*\n\s+url:\s*(\S+)", (ROOT / "_config.yml").read_text(), re.M)
    assert match, "_config.yml has no repository.url"
    return match.group(1)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_first_code_cell_installs_the_package_where_it_is_missing(path):
    # The Colab button opens a chapter on a machine without wtinit_lib: its first code cell
    # installs the package from the repository the book names, and does nothing (prints
    # nothing) where the package is importable, as here (nbval runs it with no output).
    first = code_cells(load(path))[0]
    source = "".join(first["source"])
    assert 'find_spec("wtinit_lib") is None' in source, f"{path.name}: {source[:80]!r}"
    assert "git+{BOOK}" in source and f'BOOK = "{repository_url()}"' in source, (
        f"{path.name}: the install cell must install from _config.yml's repository.url"
    )
    assert not first.get("outputs"), f"{path.name}: the install cell printed something"
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), path.name
