"""Strip volatile metadata from executed notebooks, keeping their outputs.

Run by ``make notebooks`` after re-executing every chapter. It removes what changes from one
execution to the next but says nothing about the chapter: widget state, per-cell execution
timestamps, the exact Python version in ``language_info``, and how a cell's printed text happened
to be cut into stream chunks (consecutive ``stdout`` chunks are joined, as nbval joins them before
comparing). Outputs and execution counts stay: they are what the book shows and what nbval
compares.

Usage: python tools/clean_notebooks.py chapters/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
VOLATILE_CELL_KEYS = ("execution", "ExecuteTime", "collapsed", "scrolled")


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` with volatile metadata removed (in place)."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
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


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for name in paths:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        clean(nb)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
