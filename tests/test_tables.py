"""wtinit_lib.tables: fixed-width text tables that fit the book's column.

``format_table`` right-aligns numbers and left-aligns text, separates columns by two spaces,
formats numbers with one spec per column, prints ``nan`` as ``-``, and refuses a table wider
than the book's column (``WIDTH``) or a row of the wrong length.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib.tables import WIDTH, format_table


def test_numbers_are_right_aligned_and_text_left_aligned():
    table = format_table(
        ["rule", "std", "n"], [["He", 0.1234, 3], ["LeCun", math.nan, 12]], ["", ".3f", "d"]
    )
    assert table.splitlines() == [
        "rule     std   n",
        "He     0.123   3",
        "LeCun      -  12",  # nan prints as "-"
    ]


def test_every_line_has_the_width_of_its_widest_cells_and_no_trailing_space():
    table = format_table(["name", "value"], [["a", 1.5], ["a longer name", 22.25]])
    lines = table.splitlines()
    assert len({len(line) for line in lines}) == 1  # the last column is numeric: right-aligned
    assert all(line == line.rstrip() for line in lines)
    assert lines[0].index("value") > len("a longer name")
    text_last = format_table(["value", "name"], [[1, "a"], [2, "a longer name"]])
    assert text_last.splitlines()[1] == "    1  a"  # a left-aligned last column is not padded


def test_default_format_is_g_and_numpy_numbers_are_numbers():
    assert format_table(["a", "b"], [[1, 2.5]]) == "a    b\n1  2.5"
    assert format_table(["x"], [[np.float64(1e-7)], [np.int64(3)]]) == "    x\n1e-07\n    3"


def test_booleans_are_text_not_numbers():
    assert format_table(["flag", "x"], [[True, 1], [False, 22]]).splitlines() == [
        "flag    x",
        "True    1",
        "False  22",
    ]


def test_a_table_without_rows_is_its_header():
    assert format_table(["x", "y"], []) == "x  y"


def test_a_table_wider_than_the_column_is_refused():
    assert WIDTH == 80
    fits = format_table(["x" * 80], [])
    assert len(fits) == WIDTH
    with pytest.raises(ValueError, match=r"81 characters wide; the book's column holds 80"):
        format_table(["x" * 81], [])
    with pytest.raises(ValueError, match=r"holds 10"):
        format_table(["a", "b"], [[123456.0, 654321.0]], width=10)


def test_rows_and_formats_must_have_one_entry_per_column():
    with pytest.raises(ValueError, match=r"`rows` must hold 2 values per row.*row 1 has 1"):
        format_table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match=r"`formats` must have one entry per column \(2\)"):
        format_table(["a", "b"], [[1, 2]], formats=[".3f"])
