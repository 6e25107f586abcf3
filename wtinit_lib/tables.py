"""Fixed-width text tables that fit the book's column.

A chapter prints its numbers as a small table; :func:`format_table` lays one out (numbers right-
aligned, text left-aligned, two spaces between columns) and refuses one wider than the column of
the rendered book (:data:`WIDTH` characters), which would otherwise scroll sideways.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

__all__ = ["WIDTH", "format_table"]

#: Characters of monospace text that fit the book's column at 1280 px.
WIDTH = 80


def _cell(value: object, spec: str) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return "-"
        return format(value, spec)
    return str(value)


def format_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str] | None = None,
    width: int = WIDTH,
) -> str:
    """The rows under the header, one line each, every column as wide as its widest entry.

    Args:
        header: one title per column.
        rows: one sequence of values per row, as many as there are titles.
        formats: one format spec per column for numbers (e.g. ``".3f"``, ``".2e"``, ``"d"``);
            default ``"g"``. Text is printed as it is; ``nan`` prints as ``-``.
        width: the widest line allowed (default :data:`WIDTH`).

    Raises:
        ValueError: when a row has the wrong number of values, or a line would be wider than
            ``width``.
    """
    count = len(header)
    formats = list(formats) if formats is not None else ["g"] * count
    if len(formats) != count:
        raise ValueError(
            f"Argument `formats` must have one entry per column ({count}). "
            f"Received: {len(formats)} entries"
        )
    cells = []
    for k, row in enumerate(rows):
        if len(row) != count:
            raise ValueError(
                f"Argument `rows` must hold {count} values per row. Received: row {k} has "
                f"{len(row)}"
            )
        cells.append([_cell(value, spec) for value, spec in zip(row, formats)])
    numeric = [
        all(isinstance(row[j], numbers.Real) and not isinstance(row[j], bool) for row in rows)
        for j in range(count)
    ]
    widths = [max([len(header[j]), *(len(row[j]) for row in cells)]) for j in range(count)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if is_number else v.ljust(w)
            for v, w, is_number in zip(values, widths, numeric)
        ]
        return "  ".join(parts).rstrip()

    lines = [line(header), *(line(row) for row in cells)]
    too_wide = max(len(text) for text in lines)
    if too_wide > width:
        raise ValueError(
            f"The table is {too_wide} characters wide; the book's column holds {width}. "
            "Use shorter titles, fewer digits or fewer columns."
        )
    return "\n".join(lines)
