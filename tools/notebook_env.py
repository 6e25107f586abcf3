"""The environment every notebook runs in, and the emulated CPUs that prove it does not matter.

The outputs stored in ``chapters/`` are claims: ``make test`` re-runs every notebook and nbval
compares each cell with its stored output. Two things could make a reader's run differ from ours
without any claim being wrong, and this file controls both.

1. **The reader's shell.** ``BASE_ENV`` fixes what the outputs depend on: one BLAS/OpenMP and one
   TensorFlow thread per process (the test run starts one kernel per core, see ``conftest.py``),
   the inline figure backend (with ``MPLBACKEND=Agg`` in a shell the kernels would draw no figure
   and every figure cell would fail), Keras on TensorFlow, a fixed hash seed, and no CPU-emulation
   variable left over from the shell. ``make test`` and ``make notebooks`` both run under it.
2. **The reader's CPU.** OpenBLAS picks its matrix kernels, numpy its SIMD loops (``tanh``,
   ``exp``, sums) and oneDNN its code path from the CPU, and each rounds in its own way. A number
   printed from a chaotic run, or printed with more digits than its spread, then differs from one
   machine to the next. ``EMULATIONS`` makes this machine round like other ones, and
   ``check`` re-runs nbval on every chapter under each of them (``make test-portable``; CI runs
   it after ``make test``).

Usage::

    python tools/notebook_env.py exec [--emulate NAME] -- COMMAND ...   # COMMAND under BASE_ENV
    python tools/notebook_env.py check [NAME ...] [--paths NB ...]  # nbval under each emulation
    python tools/notebook_env.py report [NOTEBOOK ...]   # print every output line that differs
    python tools/notebook_env.py show                # what each emulation sets on this machine

``report`` is the measuring tool: it executes the notebooks natively and under every emulation
(and under a few extra ones that only measure) and prints, cell by cell, the output lines that
differ. Print a quantity with fewer digits than its spread, or summarize the run differently,
until the report is empty.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

#: Set in every notebook run; ``conftest.py`` applies the same when pytest is started directly.
BASE_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "2",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "KERAS_BACKEND": "tensorflow",
    "PYTHONHASHSEED": "0",
    "JUPYTER_PREFER_ENV_PATH": "1",
}
#: Removed from the environment of every run unless an emulation sets them.
EMULATION_VARIABLES = (
    "OPENBLAS_CORETYPE",
    "NPY_DISABLE_CPU_FEATURES",
    "NPY_ENABLE_CPU_FEATURES",
    "TF_ENABLE_ONEDNN_OPTS",
    "ONEDNN_MAX_CPU_ISA",
    "DNNL_MAX_CPU_ISA",
)
#: Marks an environment prepared here, so that ``conftest.py`` leaves it alone.
MARKER = "WTINIT_NOTEBOOK_ENV"

# numpy's names for the SIMD targets an x86-64-v3 (AVX2 + FMA) CPU has, in numpy 2.x and 1.x.
_AVX2_LEVEL = {"X86_V2", "X86_V3", "SSSE3", "SSE41", "POPCNT", "SSE42", "AVX", "F16C", "FMA3"}
_AVX2_LEVEL |= {"AVX2"}


def _numpy_cpu() -> tuple[list[str], dict[str, bool]]:
    """numpy's dispatched SIMD targets and the CPU features it detected, as numpy reports them."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath as umath
    return list(umath.__cpu_dispatch__), dict(umath.__cpu_features__)


def numpy_targets_above(level: set[str]) -> list[str]:
    """The dispatched targets this CPU has that ``level`` does not include.

    Disabling them makes numpy run the loops a CPU of that level would run. Only targets the CPU
    has are listed: numpy refuses to disable a baseline target and warns about unknown ones.
    """
    dispatch, features = _numpy_cpu()
    return [t for t in dispatch if t not in level and features.get(t, False)]


def _require_avx2() -> None:
    _, features = _numpy_cpu()
    if not (features.get("AVX2") and features.get("FMA3")):
        raise SystemExit(
            "This emulation runs OpenBLAS's Haswell kernels, which need AVX2 and FMA; this CPU "
            "lacks them. Run the other emulations, or use an x86-64-v3 machine."
        )


@dataclass(frozen=True)
class Emulation:
    """A CPU (and thread count) made up on this machine by the environment ``env()`` returns."""

    description: str
    env: Callable[[], dict[str, str]]
    in_check: bool = True  # run by `check` (CI); the others only serve `report`


def _old_x86() -> dict[str, str]:
    return {
        "OPENBLAS_CORETYPE": "Sandybridge",
        "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_targets_above(set())),
        "TF_ENABLE_ONEDNN_OPTS": "1",
        "ONEDNN_MAX_CPU_ISA": "AVX",
    }


def _avx2() -> dict[str, str]:
    _require_avx2()
    return {
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_targets_above(_AVX2_LEVEL)),
        "TF_ENABLE_ONEDNN_OPTS": "0",
    }


def _two_threads() -> dict[str, str]:
    return {
        "OPENBLAS_NUM_THREADS": "2",
        "OMP_NUM_THREADS": "2",
        "TF_NUM_INTRAOP_THREADS": "2",
        "TF_ENABLE_ONEDNN_OPTS": "1",
    }


def _nehalem() -> dict[str, str]:
    return {
        "OPENBLAS_CORETYPE": "Nehalem",
        "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_targets_above(set())),
        "TF_ENABLE_ONEDNN_OPTS": "1",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
    }


def _avx2_onednn() -> dict[str, str]:
    env = _avx2()
    env.update({"TF_ENABLE_ONEDNN_OPTS": "1", "ONEDNN_MAX_CPU_ISA": "AVX2"})
    return env


EMULATIONS: dict[str, Emulation] = {
    "old-x86": Emulation(
        "an x86-64 CPU without AVX2 (e.g. Sandy Bridge): OpenBLAS's Sandybridge kernels, numpy's "
        "baseline SIMD loops only, TensorFlow with oneDNN limited to AVX",
        _old_x86,
    ),
    "avx2": Emulation(
        "an AVX2 CPU without AVX-512 (Haswell to Alder Lake, Zen 1-3): OpenBLAS's Haswell "
        "kernels, numpy's SIMD loops up to x86-64-v3, TensorFlow without oneDNN, one thread",
        _avx2,
    ),
    "two-threads": Emulation(
        "this CPU with two BLAS, OpenMP and TensorFlow threads per process, oneDNN on",
        _two_threads,
    ),
    # Only measured by `report`: more kernels, more ways to round.
    "nehalem": Emulation(
        "an SSE4.2-only CPU: OpenBLAS's Nehalem kernels, numpy's baseline loops, oneDNN SSE4.1",
        _nehalem,
        in_check=False,
    ),
    "avx2-onednn": Emulation(
        "the AVX2 emulation with oneDNN on (limited to AVX2)", _avx2_onednn, in_check=False
    ),
}


def environment(emulation: str | None = None) -> dict[str, str]:
    """``os.environ`` with ``BASE_ENV`` applied, then the emulation's settings (if any)."""
    env = {k: v for k, v in os.environ.items() if k not in EMULATION_VARIABLES}
    env.update(BASE_ENV)
    if emulation is not None:
        if emulation not in EMULATIONS:
            raise SystemExit(
                f"Unknown emulation {emulation!r}; choose from {', '.join(EMULATIONS)}"
            )
        env.update(EMULATIONS[emulation].env())
    env[MARKER] = emulation or "native"
    return env


def _exec(args: argparse.Namespace) -> int:
    if not args.command:
        raise SystemExit("exec needs a command after `--`")
    command = args.command[1:] if args.command[0] == "--" else args.command
    return subprocess.call(command, env=environment(args.emulate), cwd=ROOT)


def _check(args: argparse.Namespace) -> int:
    names = args.names or [name for name, e in EMULATIONS.items() if e.in_check]
    unknown = sorted(set(names) - set(EMULATIONS))
    if unknown:
        raise SystemExit(f"Unknown emulation(s) {unknown}; choose from {', '.join(EMULATIONS)}")
    failed = []
    for name in names:
        print(f"== nbval on chapters/ emulating {EMULATIONS[name].description}", flush=True)
        command = [sys.executable, "-m", "pytest", *(args.paths or ["chapters"])]
        if subprocess.call(command, env=environment(name), cwd=ROOT) != 0:
            failed.append(name)
    if failed:
        print(f"stored outputs differ under: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"stored outputs reproduce under: {', '.join(names)}")
    return 0


def _execute(notebook: Path, emulation: str | None, folder: Path) -> dict[int, list[str]]:
    """Execute ``notebook`` under an emulation; its text output lines, by code-cell index."""
    target = folder / f"{notebook.stem}.{emulation or 'native'}.ipynb"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=python3",
        "--ExecutePreprocessor.timeout=600",
        "--output",
        str(target),
        str(notebook),
    ]
    subprocess.run(command, env=environment(emulation), cwd=ROOT, check=True, capture_output=True)
    cells = json.loads(target.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    return {i: _text_lines(cell) for i, cell in enumerate(code)}


def _text_lines(cell: dict) -> list[str]:
    """A cell's text output, line by line; a stream cut into several chunks is joined first.

    A loaded machine can flush a print's text and its newline as two stream outputs (nbclient
    does not coalesce them); nbval joins them before comparing, and so must the report, or the
    cut shows up as a spurious empty line.
    """
    lines: list[str] = []
    pending, pending_name = "", None  # the stream text read so far, and its name
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            if output["name"] != pending_name:
                lines += pending.splitlines()
                pending, pending_name = "", output["name"]
            pending += "".join(output["text"])
            continue
        lines += pending.splitlines()
        pending, pending_name = "", None
        if output["output_type"] == "error":
            lines.append(f"ERROR {output['ename']}: {output['evalue']}")
        elif "text/plain" in output.get("data", {}) and "image/png" not in output["data"]:
            lines += "".join(output["data"]["text/plain"]).splitlines()
    return lines + pending.splitlines()


def _report(args: argparse.Namespace) -> int:
    notebooks = [Path(p).resolve() for p in args.notebooks] or sorted(CHAPTERS.glob("*.ipynb"))
    runs = [None, *EMULATIONS]
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {
            (nb, run): pool.submit(_execute, nb, run, Path(tmp)) for nb in notebooks for run in runs
        }
        differing = 0
        for nb in notebooks:
            results = {run or "native": futures[nb, run].result() for run in runs}
            native = results["native"]
            for cell, lines in native.items():
                others = {name: r[cell] for name, r in results.items() if r[cell] != lines}
                if not others:
                    continue
                differing += 1
                print(f"\n### {nb.name}, code cell {cell} (nbval's 'Cell {cell}')")
                for name, other in others.items():
                    diff = difflib.unified_diff(lines, other, "native", name, n=0, lineterm="")
                    print("\n".join(line for line in diff if not line.startswith("@@")))
    print(f"\n{differing} cell(s) whose output depends on the CPU or the thread count")
    return 1 if differing else 0


def _show(args: argparse.Namespace) -> int:
    dispatch, features = _numpy_cpu()
    print("numpy dispatches:", " ".join(dispatch))
    print("this CPU has:    ", " ".join(t for t in dispatch if features.get(t)))
    for name, emulation in EMULATIONS.items():
        try:
            env = emulation.env()
        except SystemExit as error:
            env = {"(unavailable)": str(error)}
        where = "check and report" if emulation.in_check else "report only"
        print(f"\n{name} ({where}): {emulation.description}")
        for key, value in env.items():
            print(f"  {key}={value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("exec", help="run a command under BASE_ENV (and an emulation)")
    p.add_argument("--emulate", choices=list(EMULATIONS))
    p.add_argument("command", nargs=argparse.REMAINDER)
    p.set_defaults(run=_exec)
    p = sub.add_parser("check", help="nbval on chapters/ under each emulation")
    p.add_argument("names", nargs="*", metavar="NAME", help=", ".join(EMULATIONS))
    p.add_argument("--paths", nargs="+", help="notebooks to check (default: chapters/)")
    p.set_defaults(run=_check)
    p = sub.add_parser("report", help="print the output lines that differ between emulations")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(run=_report)
    p = sub.add_parser("show", help="what each emulation sets on this machine")
    p.set_defaults(run=_show)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
