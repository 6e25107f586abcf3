"""Audit a model's initial parameters: each tensor's measured mean and std against a written rule.

:func:`init_report` takes any list of ``(name, array)`` pairs (``named_parameters()`` of the
book's networks, or arrays taken out of a framework's model) and a mapping of name patterns to
rules (``("std", s)`` or ``("constant", c)``) written from the paper, not from the model's own
configuration; it flags every tensor that breaks its rule and every tensor no rule covers.
:func:`init_report_table` groups the result by rule in a table that fits the book's column.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wtinit_lib import tables
from wtinit_lib._checks import check_in_interval

__all__ = ["InitRow", "init_report", "init_report_table"]


@dataclass(frozen=True)
class InitRow:
    """One parameter of :func:`init_report`: its ``name``, the ``pattern`` that matched it (or
    ``None``), the ``rule`` (``("std", s)`` or ``("constant", c)``), the measured ``mean`` and
    ``std``, and whether it follows the rule (``ok``)."""

    name: str
    pattern: str | None
    rule: tuple[str, float] | None
    mean: float
    std: float
    ok: bool


def init_report(
    named_parameters: Sequence[tuple[str, np.ndarray]],
    expected: Mapping[str, tuple[str, float]],
    rtol: float = 0.1,
) -> list[InitRow]:
    """Measure every parameter right after initialization against the rule it should follow.

    ``expected`` maps ``fnmatch`` patterns (the first that matches wins) to a rule:
    ``("std", s)``: random with standard deviation ``s``, ok when ``|std/s - 1| <= rtol`` and
    ``|mean| <= rtol · s``; ``("constant", c)``: every entry exactly ``c`` (zeros, a norm's
    ``γ = 1`` and ``β = 0``). A parameter that no pattern matches is *not* ok: nothing escapes.
    Write ``expected`` from the paper's formula, never from the model's own configuration (a
    check that reads the configuration cannot catch a bug in it). The default ``rtol`` is many
    standard errors of a std measured on a few thousand entries.
    """
    rtol = check_in_interval("rtol", rtol, 0.0, 1.0)
    for pattern, rule in expected.items():
        ok = isinstance(rule, tuple) and len(rule) == 2 and rule[0] in ("std", "constant")
        if not ok:
            raise ValueError(
                "Argument `expected` must map patterns to ('std', s) or ('constant', c). "
                f"Received: {pattern!r}: {rule!r}"
            )
    rows = []
    for name, value in named_parameters:
        array = np.asarray(value, dtype=np.float64)
        pattern = next((p for p in expected if fnmatch.fnmatchcase(name, p)), None)
        rule = None if pattern is None else expected[pattern]
        mean, std = float(np.mean(array)), float(np.std(array))
        if rule is None:
            ok = False
        elif rule[0] == "std":
            ok = abs(std / rule[1] - 1.0) <= rtol and abs(mean) <= rtol * rule[1]
        else:
            ok = bool(np.all(array == rule[1]))
        rows.append(InitRow(name, pattern, rule, mean, std, ok))
    return rows


def init_report_table(rows: Sequence[InitRow]) -> str:
    """The report grouped by rule: tensors checked, how many broke the rule, the range of the
    measured standard deviations and the rule (a table that fits the book's column)."""
    groups: dict[str | None, list[InitRow]] = {}
    for row in rows:
        groups.setdefault(row.pattern, []).append(row)
    lines = []
    for pattern, members in groups.items():
        stds = [r.std for r in members]
        rule = members[0].rule
        wanted = "(no rule)" if rule is None else f"{rule[0]} {rule[1]:.3g}"
        low, high = min(stds), max(stds)
        measured = f"{low:.3g}" if f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g}..{high:.3g}"
        flagged = sum(not r.ok for r in members)
        lines.append((pattern or "(unmatched)", len(members), flagged, measured, wanted))
    header = ("pattern", "tensors", "flagged", "measured std", "rule")
    return tables.format_table(header, lines, ("s", "d", "d", "s", "s"))
