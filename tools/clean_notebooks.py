"""Strip volatile metadata from executed notebooks, keeping their outputs.

Run by ``make notebooks`` after re-executing every chapter. It removes what changes from one
execution to the next but says nothing about the chapter: widget state, per-cell execution
timestamps, and how a cell's printed text happened to be cut into stream chunks (consecutive
``stdout`` chunks are joined, as nbval joins them before comparing). Outputs and execution counts
stay: they are what the book shows and what nbval compares.

The notebook-level ``kernelspec`` and ``language_info`` are set to exactly what JupyterLab writes
when it opens the notebook with this environment's kernel. On opening, JupyterLab replaces both
objects with the kernel's own values and marks the notebook modified unless the stored ones are
deep-equal (key order aside). ``language_info`` comes from ipykernel itself, so it holds the
running Python's version: the one that executed the chapters. That field is the only one that
varies between machines; a reader whose kernel runs another Python sees that one line change.

Usage: python tools/clean_notebooks.py [--metadata-only] chapters/*.ipynb
  --metadata-only  set kernelspec and language_info only; cells, sources and outputs untouched
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat

# What JupyterLab writes from the venv's kernel.json (ipykernel's "python3" kernel).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
VOLATILE_CELL_KEYS = ("execution", "ExecuteTime", "collapsed", "scrolled")


def language_info() -> dict:
    """The ``language_info`` that this Python's ipykernel sends to JupyterLab (a fresh copy)."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def set_kernel_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Store the kernelspec and language_info JupyterLab would write (in place)."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = language_info()
    return nb


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` with volatile metadata removed (in place)."""
    nb.metadata.pop("widgets", None)
    set_kernel_metadata(nb)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        cell.outputs = _join_streams(cell.get("outputs", []))
        for output in cell.outputs:
            # The widget view of an output needs the widget state we just dropped;
            # the text/plain (or image) representation next to it is kept.
            data = output.get("data")
            if data is not None:
                data.pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def _join_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout after stdout) into one."""
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            joined.append(output)
    return joined


def main(args: list[str]) -> int:
    metadata_only = "--metadata-only" in args
    paths = [a for a in args if a != "--metadata-only"]
    if not paths:
        print(__doc__.strip().split("Usage: ")[-1], file=sys.stderr)
        return 2
    for name in paths:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        if metadata_only:
            set_kernel_metadata(nb)
        else:
            clean(nb)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        print(f"{'set kernel metadata of' if metadata_only else 'cleaned'} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
