"""Argument checks shared by the modules, with messages in Keras's style.

Every message names the argument, the value received and what was expected, e.g.
"Argument `scale` must be a positive number. Received: scale=-1".
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = ["check_choice", "check_positive", "check_shape", "as_rng"]


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite positive number."""
    kind = "a non-negative number" if allow_zero else "a positive number"
    if not _is_real(value):
        raise TypeError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    ok = value >= 0 if allow_zero else value > 0
    if not ok or not np.isfinite(value):
        raise ValueError(f"Argument `{name}` must be {kind}. Received: {name}={value!r}")
    return float(value)


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"Argument `{name}` must be one of {options}. Received: {name}={value!r}")
    return value


def check_shape(shape: object, name: str = "shape") -> tuple[int, ...]:
    """Return ``shape`` as a tuple of positive ints; raise a clear error otherwise."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or len(shape) == 0:
        raise TypeError(
            f"Argument `{name}` must be a non-empty tuple of positive ints. "
            f"Received: {name}={shape!r}"
        )
    for dim in shape:
        if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
            raise TypeError(
                f"Argument `{name}` must contain only ints. Received: {name}={tuple(shape)!r}"
            )
        if dim <= 0:
            raise ValueError(
                f"Argument `{name}` must contain only positive dimensions. "
                f"Received: {name}={tuple(shape)!r}"
            )
    return tuple(int(d) for d in shape)


def as_rng(rng: object = None, *, name: str = "rng") -> np.random.Generator:
    """Turn ``rng`` (a ``np.random.Generator``, an int seed or ``None``) into a Generator.

    ``name`` is the argument's name in error messages (e.g. ``"seed"``)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng if rng is not None else np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(
                f"Argument `{name}` must be a non-negative seed. Received: {name}={rng}"
            )
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"Argument `{name}` must be a numpy Generator, an int seed or None. "
        f"Received: {name}={rng!r} of type {type(rng).__name__}"
    )
