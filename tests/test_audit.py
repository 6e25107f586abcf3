"""wtinit_lib.audit: the initial parameters measured against rules written independently.

A hand-made list of tensors, some breaking their rule (a std too wide, a mean of half a std, a
constant off by 1e-9) and one that no rule covers, must be flagged exactly; the table groups them
by rule within the book's 80 columns; bad rules and tolerances raise the book's errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from wtinit_lib import audit


def test_init_report_flags_what_breaks_its_rule_and_what_no_rule_covers():
    rng = np.random.default_rng(2)
    named = [
        ("layer1.W", rng.normal(0, 0.02, size=(200, 200))),
        ("layer1.b", np.zeros(200)),
        ("layer2.W", rng.normal(0, 0.05, size=(200, 200))),  # too wide a spread
        ("layer3.W", rng.normal(0.01, 0.02, size=(200, 200))),  # a mean of half a std
        ("norm.gamma", np.ones(200)),
        ("norm.beta", np.full(200, 1e-9)),  # not exactly 0
        ("extra.scale", np.array(0.0)),  # no rule covers it
    ]
    expected = {
        "*.W": ("std", 0.02),
        "*.gamma": ("constant", 1.0),
        "*.beta": ("constant", 0.0),
        "*.b": ("constant", 0.0),
    }
    rows = audit.init_report(named, expected)
    flagged = {r.name for r in rows if not r.ok}
    assert flagged == {"layer2.W", "layer3.W", "norm.beta", "extra.scale"}
    first = rows[0]
    assert (first.pattern, first.rule) == ("*.W", ("std", 0.02))
    assert first.std == pytest.approx(np.std(named[0][1]))
    assert rows[-1].pattern is None and rows[-1].rule is None
    table = audit.init_report_table(rows)
    lines = table.splitlines()
    assert lines[0].split() == ["pattern", "tensors", "flagged", "measured", "std", "rule"]
    assert lines[1].split()[:3] == ["*.W", "3", "2"]
    assert "(unmatched)" in table and "(no rule)" in table
    assert max(map(len, lines)) <= 80
    with pytest.raises(ValueError, match=r"`expected` must map patterns to \('std', s\)"):
        audit.init_report(named, {"*": ("mean", 0.0)})
    with pytest.raises(ValueError, match=r"`rtol` must be a number in \(0, 1\)"):
        audit.init_report(named, expected, rtol=2.0)
