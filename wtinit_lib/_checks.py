"""Every argument check of the package, one of each, with messages in Keras's style.

Each message names the argument, says what was expected and shows the value received, e.g.
"Argument `scale` must be a positive number. Received: scale=-1". A value of the wrong *type*
raises ``TypeError``; a value of the right type that is out of range raises ``ValueError``.
Every check returns the value in the form the caller should use (a float, an int, a tuple).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "as_rng",
    "check_bool",
    "check_choice",
    "check_closed_interval",
    "check_finite",
    "check_float_dtype",
    "check_in_interval",
    "check_int",
    "check_layer_sizes",
    "check_mapping",
    "check_optional_str",
    "check_per_layer",
    "check_positive",
    "check_range",
    "check_same_shapes",
    "check_seed",
    "check_shape",
    "check_tensor_list",
]


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive(name: str, value: object, *, allow_zero: bool = False) -> float:
    """``value`` as a float, after checking it is a finite positive (or non-negative) number."""
    kind = "a non-negative number" if allow_zero else "a positive number"
    if not _is_real(value):
        raise TypeError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    ok = value >= 0 if allow_zero else value > 0
    if not ok or not math.isfinite(value):
        raise ValueError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    return float(value)


def check_finite(name: str, value: object) -> float:
    """``value`` as a float, after checking it is a finite number."""
    if not _is_real(value):
        raise TypeError(f"Argument `{name}` must be a finite number. Received: {name}={value!r}")
    if not math.isfinite(value):
        raise ValueError(f"Argument `{name}` must be a finite number. Received: {name}={value!r}")
    return float(value)


def check_in_interval(name: str, value: object, low: float, high: float) -> float:
    """``value`` as a float, after checking ``low < value < high`` (an open interval)."""
    kind = f"a number in ({low:g}, {high:g})"
    if not _is_real(value):
        raise TypeError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    if not low < value < high:
        raise ValueError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    return float(value)


def check_closed_interval(name: str, value: object, low: float, high: float) -> float:
    """``value`` as a float, after checking ``low <= value <= high`` (a closed interval)."""
    kind = f"a number in [{low:g}, {high:g}]"
    if not _is_real(value):
        raise TypeError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    if not low <= value <= high:
        raise ValueError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    return float(value)


def check_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int, after checking it is an integer of at least ``minimum``."""
    if not _is_int(value):
        raise TypeError(
            f"Argument `{name}` must be an int >= {minimum}. Received: {name}={value!r}"
        )
    if value < minimum:
        raise ValueError(
            f"Argument `{name}` must be an int >= {minimum}. Received: {name}={value!r}"
        )
    return int(value)


def check_bool(name: str, value: object) -> bool:
    """``value`` as a bool (Python's or numpy's)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Argument `{name}` must be True or False. Received: {name}={value!r}")
    return bool(value)


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"Argument `{name}` must be one of {options}. Received: {name}={value!r}")
    return value


def check_optional_str(name: str, value: object) -> str | None:
    """``value`` when it is a str or None (a figure's title, say)."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"Argument `{name}` must be a str or None. Received: {name}={value!r}")
    return value


def check_float_dtype(dtype: object) -> np.dtype:
    """``dtype`` as a floating numpy dtype (``np.float64``, ``"float32"``, ...)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or not np.issubdtype(dt, np.floating):
        raise TypeError(
            f"Argument `dtype` must be a floating numpy dtype. Received: dtype={dtype!r}"
        )
    return dt


def check_shape(shape: object, name: str = "shape") -> tuple[int, ...]:
    """``shape`` as a tuple of positive ints (an int is a 1-D shape)."""
    if _is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or len(shape) == 0:
        raise TypeError(
            f"Argument `{name}` must be a non-empty tuple of positive ints. "
            f"Received: {name}={shape!r}"
        )
    if not all(_is_int(dim) for dim in shape):
        raise TypeError(
            f"Argument `{name}` must contain only ints. Received: {name}={tuple(shape)!r}"
        )
    if any(dim <= 0 for dim in shape):
        raise ValueError(
            f"Argument `{name}` must contain only positive dimensions. "
            f"Received: {name}={tuple(shape)!r}"
        )
    return tuple(int(d) for d in shape)


def check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    """Units per layer, inputs and outputs included (e.g. ``[2, 10, 5, 1]``), as a tuple."""
    example = "e.g. [2, 10, 5, 1]"
    if not isinstance(layer_sizes, Sequence) or isinstance(layer_sizes, str):
        raise TypeError(
            f"Argument `layer_sizes` must be a list of positive ints, {example}. "
            f"Received: layer_sizes={layer_sizes!r}"
        )
    if not all(_is_int(size) for size in layer_sizes):
        raise TypeError(
            f"Argument `layer_sizes` must contain only ints, {example}. "
            f"Received: layer_sizes={list(layer_sizes)!r}"
        )
    if len(layer_sizes) < 2 or any(size <= 0 for size in layer_sizes):
        raise ValueError(
            "Argument `layer_sizes` must hold at least two positive sizes (inputs and "
            f"outputs), {example}. Received: layer_sizes={list(layer_sizes)!r}"
        )
    return tuple(int(s) for s in layer_sizes)


def check_per_layer(name: str, value: object, num_layers: int) -> np.ndarray:
    """One non-negative number for every layer, or a list of ``num_layers`` of them, as an array."""
    array = None if isinstance(value, str) else np.asarray(value, dtype=object)
    if array is None or array.ndim > 1 or (array.ndim == 1 and array.size != num_layers):
        raise ValueError(
            f"Argument `{name}` must be a non-negative number or a list of {num_layers} of them "
            f"(one per layer). Received: {name}={value!r}"
        )
    if not all(_is_real(v) for v in array.ravel()):
        raise TypeError(f"Argument `{name}` must contain only numbers. Received: {name}={value!r}")
    floats = array.astype(np.float64)
    if not np.all(np.isfinite(floats)) or np.any(floats < 0):
        raise ValueError(
            f"Argument `{name}` must contain only non-negative finite numbers. "
            f"Received: {name}={value!r}"
        )
    return np.broadcast_to(floats, (num_layers,)).copy()


def check_tensor_list(name: str, tensors: object, dtype: object = None) -> list[np.ndarray]:
    """A non-empty list (or tuple) of arrays, e.g. ``[dW1, db1, dW2, db2]``, as arrays (of
    ``dtype`` when given)."""
    if (
        isinstance(tensors, np.ndarray)
        or not isinstance(tensors, Sequence)
        or isinstance(tensors, str)
        or len(tensors) == 0
    ):
        raise TypeError(
            f"Argument `{name}` must be a non-empty list of arrays (e.g. [dW1, db1, ...]). "
            f"Received: {name} of type {type(tensors).__name__}"
        )
    return [np.asarray(t, dtype=dtype) for t in tensors]


def check_same_shapes(names: tuple[str, str], a: list[np.ndarray], b: list[np.ndarray]) -> None:
    """Two lists of arrays with the same shapes, in the same order."""
    if len(a) != len(b) or any(x.shape != y.shape for x, y in zip(a, b)):
        raise ValueError(
            f"Arguments `{names[0]}` and `{names[1]}` must hold arrays of the same shapes, in "
            f"the same order. Received: shapes {[x.shape for x in a]} and {[y.shape for y in b]}"
        )


def check_mapping(name: str, value: object) -> Mapping:
    """A non-empty dict (e.g. label -> data for a figure)."""
    if not isinstance(value, Mapping) or len(value) == 0:
        raise TypeError(
            f"Argument `{name}` must be a non-empty dict of label -> data. "
            f"Received: {name}={value!r:.80}"
        )
    return value


def check_range(name: str, value: object) -> tuple[float, float] | None:
    """None, or a pair ``(low, high)`` of finite numbers with ``low < high``."""
    if value is None:
        return None
    ok = isinstance(value, Sequence) and len(value) == 2
    ok = ok and all(_is_real(v) and math.isfinite(v) for v in value)
    if not ok or not value[0] < value[1]:
        raise ValueError(
            f"Argument `{name}` must be None or a pair (low, high) with low < high. "
            f"Received: {name}={value!r}"
        )
    return float(value[0]), float(value[1])


def check_seed(name: str, value: object) -> int | None:
    """A non-negative int seed, or None."""
    if value is None:
        return None
    if not _is_int(value):
        raise TypeError(
            f"Argument `{name}` must be a non-negative int or None. Received: {name}={value!r}"
        )
    if value < 0:
        raise ValueError(
            f"Argument `{name}` must be a non-negative int or None. Received: {name}={value!r}"
        )
    return int(value)


def as_rng(rng: object = None, *, name: str = "rng") -> np.random.Generator:
    """Turn ``rng`` (a ``np.random.Generator``, a non-negative int seed or ``None``) into a
    Generator; ``None`` draws fresh entropy. ``name`` is the argument's name in messages."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and not _is_int(rng):
        raise TypeError(
            f"Argument `{name}` must be a numpy Generator, an int seed or None. "
            f"Received: {name}={rng!r} of type {type(rng).__name__}"
        )
    seed = check_seed(name, rng)
    return np.random.default_rng(seed)
