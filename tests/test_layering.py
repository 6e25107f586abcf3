"""The floors of wtinit_lib: every import inside the package points down, and nothing cycles.

Every module of the package (the plotting subpackage included) is parsed with ``ast``; every
import of a ``wtinit_lib`` module is collected, in any form (``import wtinit_lib.x``, ``from
wtinit_lib import x``, ``from wtinit_lib.x import y``, relative imports) and anywhere in the
code (inside functions and classes too). A module may import only from a strictly lower floor of
``FLOORS`` (the floors of the package docstring), except the within-floor imports listed below,
each with its reason. A new module must be given a floor; a new upward import, a new unlisted
import within a floor, or a cycle fails. The checker is tested on fake imports as well.

Importing ``wtinit_lib`` (and every module below the figures' floor) loads neither matplotlib's
pyplot nor TensorFlow nor ipywidgets, and importing ``wtinit_lib.plotting`` loads neither
TensorFlow nor ipywidgets: a subprocess checks it (tests/test_playground_lib.py checks that the
playground imports ipywidgets only when its controls are built).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = "wtinit_lib"
SOURCE = Path(__file__).resolve().parents[1] / PACKAGE

#: The modules of the plotting package in import order (each may import the ones before it).
PLOTTING_MODULES = (
    "plotting._style",
    "plotting.curves",
    "plotting.training_curves",
    "plotting.histograms",
    "plotting.boundaries",
    "plotting._live",
    "plotting.propagation",
    "plotting.side_by_side",
    "plotting.meanfield",
    "plotting.sweeps",
)

#: The floors, lowest first (module names relative to the package).
FLOORS: dict[int, tuple[str, ...]] = {
    1: (
        "_checks",
        "rules",
        "initializers",
        "activations",
        "clipping",
        "measures",
        "datasets",
        "tables",
        # quadrature: Gaussian expectations by a fixed graded rule, numpy only (like measures)
        "quadrature",
        # a dense layer's forward and backward, shared by both networks; numpy only
        "layers",
        # LayerNorm and BatchNorm, forward beside backward; numpy and _checks only
        "normalization",
    ),
    # meanfield: the mean-field maps (predictions before any network is built, like theory);
    # parametrization: per-layer initial variances and learning rates (numbers, like rules);
    # schemes: the named initializations of residual networks, built from the initializers and
    # the depth rules of floor 1 (data only: it builds no network); audit: measured stds of named
    # parameters against written rules (numbers and a table, like layerstats)
    2: ("losses", "theory", "meanfield", "parametrization", "layerstats", "schemes", "audit"),
    3: ("training",),
    # residual: a second network class beside MLP (neither imports the other)
    4: ("network", "residual"),
    # random_networks: wide random networks simulated at (σ_w², σ_b²) beside meanfield's maps;
    # sweeps: many small networks trained on a grid of settings (depth, σ_w², width, lr).
    5: ("diagnostics", "experiments", "comparisons", "random_networks", "sweeps"),
    6: ("plotting", *PLOTTING_MODULES, "keras_bridge", "keras_probes"),
    # The playground's widgets sit on the figures they redraw (plotting) and on the experiments
    # they run: above both, the one module that imports ipywidgets (lazily).
    7: ("playground",),
}
#: The package's own ``__init__`` re-exports floors 1-4 (MLP, History, ...): it sits on floor 5,
#: so it cannot import plotting or keras_bridge, and only the top floor may import from it.
PACKAGE_FLOOR = 5

FLOOR_OF: dict[str, int] = {
    PACKAGE: PACKAGE_FLOOR,
    **{f"{PACKAGE}.{name}": floor for floor, names in FLOORS.items() for name in names},
}

#: Every module may import ``_checks``: the argument checks, which import nothing of the package.
FOUNDATION = f"{PACKAGE}._checks"

#: The imports allowed within a floor (besides ``_checks``), with their reason.
WITHIN_FLOOR: dict[tuple[str, str], str] = {
    (f"{PACKAGE}.initializers", f"{PACKAGE}.rules"): (
        "the initializers draw with the numbers of the rules (fans, RULES, gain); theory reads "
        "the same numbers without importing the initializers"
    ),
    (f"{PACKAGE}.measures", f"{PACKAGE}.clipping"): (
        "every norm of the package is computed in clipping; measures.cosine uses clipping.norm"
    ),
    (f"{PACKAGE}.keras_probes", f"{PACKAGE}.keras_bridge"): (
        "keras_bridge is the one door to TensorFlow: it imports Keras quietly"
    ),
    (f"{PACKAGE}.random_networks", f"{PACKAGE}.diagnostics"): (
        "random_networks builds networks and measures them with the probes (the Jacobian); "
        "diagnostics builds none, so it never imports an experiment"
    ),
}

#: The plotting package in import order (``_style`` first, the package ``__init__`` last): a
#: module of it may import one that comes earlier.
PLOTTING_ORDER = tuple(f"{PACKAGE}.{name}" for name in (*PLOTTING_MODULES, "plotting"))


# --- the checker ----------------------------------------------------------------------------------


def module_files() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package is named by its ``__init__``)."""
    modules = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, known: set[str]) -> str:
    """The longest known module that ``name`` starts with (``a.b.Name`` -> ``a.b``)."""
    while name not in known and "." in name:
        name = name.rpartition(".")[0]
    return name


def imports_of(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in ``source``.

    ``from wtinit_lib import x`` is an import of the module ``wtinit_lib.x`` when there is one,
    else (``MLP``) of the package's namespace, ``wtinit_lib``. Imports of other libraries are
    left out, and so is a module's import of itself.
    """
    package = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.add(candidate if candidate in known else base)
    ours = {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}
    return {_resolve(n, known) for n in ours} - {module}


def import_graph() -> dict[str, set[str]]:
    """``{module: the package's modules it imports}`` for the real package."""
    files = module_files()
    known = set(files)
    return {
        module: imports_of(path.read_text(encoding="utf-8"), module, path.stem == "__init__", known)
        for module, path in files.items()
    }


def check_import(source: str, target: str) -> str | None:
    """None when ``source`` may import ``target``; otherwise what is wrong with the import."""
    if source not in FLOOR_OF or target not in FLOOR_OF:
        missing = source if source not in FLOOR_OF else target
        return f"{source} imports {target}: {missing} has no floor in FLOORS"
    low, high = FLOOR_OF[target], FLOOR_OF[source]
    if low < high or target == FOUNDATION or (source, target) in WITHIN_FLOOR:
        return None
    if source in PLOTTING_ORDER and target in PLOTTING_ORDER:
        if PLOTTING_ORDER.index(target) < PLOTTING_ORDER.index(source):
            return None
    kind = "an upward import" if low > high else "a within-floor import that is not listed"
    return f"{source} (floor {high}) imports {target} (floor {low}): {kind}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as ``[a, b, ..., a]``, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def assert_layered(graph: dict[str, set[str]]) -> None:
    """Fail with every bad import of ``graph`` listed, or with its cycle."""
    problems = [
        problem
        for source, targets in sorted(graph.items())
        for target in sorted(targets)
        if (problem := check_import(source, target))
    ]
    assert not problems, "imports against the floors:\n" + "\n".join(problems)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


# --- the real package -----------------------------------------------------------------------------


def test_every_module_of_the_package_has_a_floor():
    assert set(module_files()) == set(FLOOR_OF)


def test_every_import_inside_the_package_points_to_a_lower_floor():
    assert_layered(import_graph())


def test_the_import_graph_has_no_cycle():
    assert find_cycle(import_graph()) is None


def test_checks_imports_nothing_of_the_package():
    assert import_graph()[FOUNDATION] == set()


def test_every_listed_within_floor_import_is_really_made():
    graph = import_graph()
    unused = [pair for pair in WITHIN_FLOOR if pair[1] not in graph[pair[0]]]
    assert not unused, f"listed but no longer imported (remove them from WITHIN_FLOOR): {unused}"


def documented_floors() -> dict[int, set[str]]:
    """The floors listed in the package docstring ("1. ``_checks`` (...), ``rules`` ..."): the
    double-backquoted names on each numbered item that are modules of the package."""
    import re

    docstring = ast.get_docstring(ast.parse((SOURCE / "__init__.py").read_text("utf-8")))
    top_level = {name.split(".")[1] for name in FLOOR_OF if name.count(".") >= 1}
    items = re.findall(r"^(\d)\. (.*?)(?=^\d\. |^$)", docstring, flags=re.M | re.S)
    return {int(number): set(re.findall(r"``(\w+)``", text)) & top_level for number, text in items}


def test_the_floors_are_those_of_the_package_docstring():
    tested = {floor: {name.split(".")[0] for name in names} for floor, names in FLOORS.items()}
    assert documented_floors() == tested
    assert all(FLOOR_OF[name] == 6 for name in PLOTTING_ORDER)


# --- the checker itself ---------------------------------------------------------------------------

EXAMPLE = """
import numpy as np
import wtinit_lib
import wtinit_lib.network as net
from wtinit_lib import MLP, clipping
from wtinit_lib.layerstats import LayerStats
from . import _style
from .. import losses
from ..rules import gain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wtinit_lib.training import History


def later():
    from wtinit_lib.keras_bridge import to_keras


class Figure:
    def method(self):
        import wtinit_lib.theory
"""


def test_imports_are_found_in_every_form_and_place():
    known = set(FLOOR_OF)
    found = imports_of(EXAMPLE, f"{PACKAGE}.plotting.curves", False, known)
    assert found == {
        PACKAGE,  # `import wtinit_lib` and `from wtinit_lib import MLP`: the namespace
        f"{PACKAGE}.network",
        f"{PACKAGE}.clipping",
        f"{PACKAGE}.layerstats",
        f"{PACKAGE}.plotting._style",  # from . import _style
        f"{PACKAGE}.losses",  # from .. import losses
        f"{PACKAGE}.rules",  # from ..rules import gain
        f"{PACKAGE}.training",  # under TYPE_CHECKING: counted too
        f"{PACKAGE}.keras_bridge",  # inside a function
        f"{PACKAGE}.theory",  # inside a method
    }
    # A package's relative import starts from the package itself.
    assert imports_of("from . import curves", f"{PACKAGE}.plotting", True, known) == {
        f"{PACKAGE}.plotting.curves"
    }


def test_the_checker_fails_on_a_fake_upward_import():
    known = set(FLOOR_OF)
    fake = "def f():\n    from wtinit_lib.network import MLP\n"
    graph = import_graph()
    graph[f"{PACKAGE}.clipping"] = imports_of(fake, f"{PACKAGE}.clipping", False, known)
    assert graph[f"{PACKAGE}.clipping"] == {f"{PACKAGE}.network"}
    with pytest.raises(AssertionError, match=r"clipping \(floor 1\) imports wtinit_lib.network"):
        assert_layered(graph)
    assert "upward" in check_import(f"{PACKAGE}.clipping", f"{PACKAGE}.network")
    assert "upward" in check_import(f"{PACKAGE}.network", f"{PACKAGE}.diagnostics")
    assert "upward" in check_import(f"{PACKAGE}.experiments", f"{PACKAGE}.plotting")


def test_the_checker_fails_on_a_within_floor_import_that_is_not_listed():
    for source, target in [
        ("datasets", "measures"),
        ("rules", "initializers"),  # the listed import, backwards: would be a cycle
        ("clipping", "measures"),
        ("diagnostics", "experiments"),
        ("keras_bridge", "plotting"),
        ("plotting._style", "plotting.curves"),  # against the plotting order
        ("plotting.curves", "plotting"),
        ("_checks", "rules"),
    ]:
        problem = check_import(f"{PACKAGE}.{source}", f"{PACKAGE}.{target}")
        assert problem and "not listed" in problem, (source, target)
    # The namespace `wtinit_lib` (MLP, History) is for the top floor only.
    assert check_import(f"{PACKAGE}.diagnostics", PACKAGE)
    assert check_import(PACKAGE, f"{PACKAGE}.plotting")
    assert check_import(f"{PACKAGE}.plotting.curves", PACKAGE) is None


def test_the_checker_accepts_lower_floors_and_the_listed_exceptions():
    allowed = [
        ("network", "training"),
        ("keras_bridge", "network"),
        ("losses", "activations"),
        ("initializers", "rules"),
        ("measures", "clipping"),
        ("datasets", "_checks"),
        ("rules", "_checks"),
        ("plotting.curves", "plotting._style"),
        ("plotting.histograms", "plotting.curves"),
        ("plotting", "plotting.propagation"),
    ]
    for source, target in allowed:
        assert check_import(f"{PACKAGE}.{source}", f"{PACKAGE}.{target}") is None


def test_the_checker_fails_on_a_module_without_a_floor():
    assert "no floor" in check_import(f"{PACKAGE}.newmodule", f"{PACKAGE}._checks")
    assert "no floor" in check_import(f"{PACKAGE}.network", f"{PACKAGE}.newmodule")


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_a_cycle_fails_even_where_the_exceptions_would_allow_each_import(monkeypatch):
    initializers, rules = f"{PACKAGE}.initializers", f"{PACKAGE}.rules"
    monkeypatch.setitem(WITHIN_FLOOR, (rules, initializers), "a bad exception, for this test")
    graph = {initializers: {rules}, rules: {initializers}}
    with pytest.raises(AssertionError, match=r"import cycle: .*initializers -> .*rules"):
        assert_layered(graph)


def test_the_allowed_within_floor_imports_cannot_form_a_cycle():
    # Imports to a lower floor never close a cycle; so the floors are cycle-free exactly when
    # the imports allowed within a floor are.
    modules = sorted(FLOOR_OF)
    allowed = {
        source: {
            target
            for target in modules
            if target != source
            and FLOOR_OF[target] == FLOOR_OF[source]
            and check_import(source, target) is None
        }
        for source in modules
    }
    assert find_cycle(allowed) is None


# --- what `import wtinit_lib` loads ---------------------------------------------------------------


def _loaded_after(statement: str, heavy: tuple[str, ...]) -> list[str]:
    code = f"import sys\n{statement}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [m for m in result.stdout.strip().split(",") if m]


def test_import_wtinit_lib_loads_neither_pyplot_nor_tensorflow():
    below_the_top = sorted(m for m, floor in FLOOR_OF.items() if floor < 6)
    statement = "\n".join(f"import {module}" for module in below_the_top)
    # scikit-learn too: datasets.digits imports it only when called (it is slow to import).
    heavy = ("matplotlib.pyplot", "tensorflow", "keras", "sklearn", "ipywidgets")
    assert _loaded_after(statement, heavy) == []


def test_import_of_plotting_loads_neither_tensorflow_nor_ipywidgets():
    heavy = ("tensorflow", "keras", "ipywidgets")
    assert _loaded_after("import wtinit_lib.plotting", heavy) == []
