"""tools/notebook_env.py: the environment of every notebook run, and the emulated CPUs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # tests/book/<this file> -> the repository
spec = importlib.util.spec_from_file_location("notebook_env", ROOT / "tools" / "notebook_env.py")
notebook_env = importlib.util.module_from_spec(spec)
sys.modules.setdefault("notebook_env", notebook_env)
spec.loader.exec_module(notebook_env)


def test_the_shell_cannot_change_what_the_notebooks_depend_on(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # would make every figure cell fail
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "8")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Prescott")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    env = notebook_env.environment()
    assert env["MPLBACKEND"] == "module://matplotlib_inline.backend_inline"
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert "OPENBLAS_CORETYPE" not in env and "TF_ENABLE_ONEDNN_OPTS" not in env
    assert env[notebook_env.MARKER] == "native"


def test_numpy_targets_to_disable_are_ones_this_cpu_has():
    dispatch, features = notebook_env._numpy_cpu()
    above_baseline = notebook_env.numpy_targets_above(set())
    assert set(above_baseline) <= set(dispatch)
    assert all(features[t] for t in above_baseline)
    # the AVX2 level keeps its own targets
    assert not {"X86_V3", "AVX2", "FMA3"} & set(notebook_env.numpy_targets_above({"X86_V3"}))


@pytest.mark.parametrize("name", [n for n, e in notebook_env.EMULATIONS.items() if e.in_check])
def test_each_emulation_changes_what_it_says_and_numpy_accepts_it(name):
    _, features = notebook_env._numpy_cpu()
    if name == "avx2" and not (features.get("AVX2") and features.get("FMA3")):
        with pytest.raises(SystemExit, match="need AVX2 and FMA"):
            notebook_env.environment(name)
        return
    env = notebook_env.environment(name)
    assert env[notebook_env.MARKER] == name
    assert env.items() >= notebook_env.EMULATIONS[name].env().items()
    # numpy starts under it without an error or a warning on stderr
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import numpy; numpy.ones(3) @ numpy.ones(3)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_unknown_emulation_is_a_clear_error():
    with pytest.raises(SystemExit, match="Unknown emulation 'arm'"):
        notebook_env.environment("arm")


def test_report_joins_a_stream_cut_into_chunks():
    # "loss 0.1" and its newline flushed as two outputs read as one line, as nbval reads them
    cut = {
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["loss 0.1"]},
            {"output_type": "stream", "name": "stdout", "text": ["\n", "done\n"]},
            {"output_type": "error", "ename": "E", "evalue": "x"},
            {"output_type": "stream", "name": "stdout", "text": "after\n"},
        ]
    }
    assert notebook_env._text_lines(cut) == ["loss 0.1", "done", "ERROR E: x", "after"]
