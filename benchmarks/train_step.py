"""Median time per training step: wtinit_lib.MLP vs Keras ``train_on_batch`` vs the matmuls alone.

Run from the repository root:

    .venv/bin/python benchmarks/train_step.py

Two networks (one plain-SGD step = forward, backward and the parameter update):

- ``[2, 10, 5, 1]``, relu/relu/sigmoid (binary cross-entropy), 300 points, full batch;
- ``[784, 256, 256, 10]``, relu/relu/softmax (categorical cross-entropy), a batch of 128.

Rows of the table:

- ``wtinit_lib float64`` / ``float32``: ``MLP.fit(X, Y, epochs=REPS, lr)`` on that one batch
  (one step per epoch), time divided by ``REPS``;
- ``keras train_on_batch``: the identical model in Keras (float32, ``SGD``, same loss, same initial
  weights), ``model.train_on_batch(X, Y)`` called ``REPS`` times after a warm-up;
- ``matmul floor``: only the matrix products of one step in numpy (forward ``A @ W`` for every
  layer, backward ``A.T @ dZ`` for every layer and ``dZ @ W.T`` for every layer but the first),
  in float64 and float32.

The implementations take turns within each of ``ROUNDS`` rounds. Each time is the median over
rounds of (round time / ``REPS``), with ``time.perf_counter``; each ratio (Keras over ours: the
speed-up; ours over the matmul floor of the same dtype: the overhead) is the median over rounds of
the ratio within a round, so that the drift of a shared machine's speed cancels out.
"""

from __future__ import annotations

import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

import wtinit_lib  # noqa: E402

ROUNDS = 9
CASES = [
    # name, layer sizes, hidden activation, output activation, batch, reps per round
    ("[2,10,5,1] n=300", [2, 10, 5, 1], "relu", "sigmoid", 300, 2000),
    ("[784,256,256,10] b=128", [784, 256, 256, 10], "relu", "softmax", 128, 200),
]
LR = 0.01


def interleaved_rounds(steps: dict, reps: dict, rounds: int = ROUNDS) -> dict:
    """Time every ``steps[name](reps[name])`` once per round, the implementations taking turns.

    Returns, per name, the list of per-step times of each round. Taking turns matters on a shared
    virtual machine, whose speed drifts over a run: a ratio is computed within each round (see
    ``median_ratio``), so a slow minute slows both of its terms alike.
    """
    for name, step in steps.items():
        step(max(1, reps[name] // 10))  # warm-up
    times: dict = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            step(reps[name])
            times[name].append((time.perf_counter() - start) / reps[name])
    return times


def median_ratio(numerator: list, denominator: list) -> float:
    """Median over rounds of the ratio of two implementations' times in the same round."""
    return statistics.median(a / b for a, b in zip(numerator, denominator))


def make_data(sizes, output, n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    if output == "sigmoid":
        Y = (rng.random((n, sizes[-1])) < 0.5).astype(np.float64)
    else:
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    return X, Y


def step_ours(sizes, act, out, X, Y, dtype):
    net = wtinit_lib.MLP(sizes, act, out, seed=0, dtype=dtype)
    Xd, Yd = X.astype(dtype), Y.astype(dtype)

    def step(k):
        net.fit(Xd, Yd, epochs=k, lr=LR)

    return step


def step_floor(sizes, X, dtype):
    rng = np.random.default_rng(1)
    Ws = [rng.standard_normal((a, b)).astype(dtype) * 0.1 for a, b in zip(sizes[:-1], sizes[1:])]
    A0 = X.astype(dtype)
    n = A0.shape[0]
    dZs = [rng.standard_normal((n, b)).astype(dtype) for b in sizes[1:]]

    def step(k):
        for _ in range(k):
            As = [A0]
            for W in Ws:
                As.append(As[-1] @ W)
            for i in range(len(Ws) - 1, -1, -1):
                _ = As[i].T @ dZs[i]
                if i > 0:
                    _ = dZs[i] @ Ws[i].T

    return step


def step_keras(sizes, act, out, X, Y):
    import keras

    net = wtinit_lib.MLP(sizes, act, out, seed=0, dtype=np.float32)
    model = keras.Sequential([keras.Input((sizes[0],), dtype="float32")])
    for i, n_out in enumerate(sizes[1:]):
        model.add(keras.layers.Dense(n_out, activation=out if i == len(sizes) - 2 else act))
    model.set_weights([p for p in net.parameters()])
    loss = "binary_crossentropy" if out == "sigmoid" else "categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR), loss=loss)
    Xf, Yf = X.astype(np.float32), Y.astype(np.float32)

    def step(k):
        for _ in range(k):
            model.train_on_batch(Xf, Yf)

    return step


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:10.1f} µs"


def machine() -> list[str]:
    import threadpoolctl

    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} logical CPUs, {platform.processor() or platform.machine()}",
    ]
    for info in threadpoolctl.threadpool_info():
        if info.get("user_api") == "blas":
            lines.append(
                f"BLAS: {info.get('internal_api')} {info.get('version')} "
                f"({info.get('architecture')}, {info.get('num_threads')} threads)"
            )
    lines.append(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    return lines


def main() -> None:
    import tensorflow as tf

    print("\n".join(machine()) + f"\ntensorflow {tf.__version__}")
    print(f"median of {ROUNDS} interleaved rounds; time per training step\n")
    header = f"| {'network':<24} | {'implementation':<26} | {'time/step':>13} | {'ratio':<30} |"
    print(header)
    print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
    for name, sizes, act, out, n, reps in CASES:
        X, Y = make_data(sizes, out, n)
        steps = {
            "t64": step_ours(sizes, act, out, X, Y, np.float64),
            "t32": step_ours(sizes, act, out, X, Y, np.float32),
            "tk": step_keras(sizes, act, out, X, Y),
            "f64": step_floor(sizes, X, np.float64),
            "f32": step_floor(sizes, X, np.float32),
        }
        counts = {key: reps for key in steps} | {"tk": max(20, reps // 4)}
        times = interleaved_rounds(steps, counts)
        med = {key: statistics.median(values) for key, values in times.items()}

        def ratio(a: str, b: str) -> float:
            return median_ratio(times[a], times[b])

        rows = [
            (
                "wtinit_lib MLP float64",
                med["t64"],
                f"{ratio('t64', 'f64'):.2f}x floor64, Keras/us {ratio('tk', 't64'):.1f}x",
            ),
            (
                "wtinit_lib MLP float32",
                med["t32"],
                f"{ratio('t32', 'f32'):.2f}x floor32, Keras/us {ratio('tk', 't32'):.1f}x",
            ),
            ("keras train_on_batch f32", med["tk"], f"{ratio('tk', 'f32'):.1f}x floor32"),
            ("matmul floor float64", med["f64"], ""),
            ("matmul floor float32", med["f32"], ""),
        ]
        for impl, t, text in rows:
            print(f"| {name:<24} | {impl:<26} | {fmt(t):>13} | {text:<30} |")


if __name__ == "__main__":
    main()
