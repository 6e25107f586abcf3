"""Weight initializers: one core (`variance_scaling`) and thin named presets on top of it.

Layout (Keras's, used throughout the book): a dense kernel has shape ``(fan_in, fan_out)`` and a
layer computes ``Z = A_prev @ W + b``; a convolution kernel has shape ``(k_h, k_w, c_in, c_out)``.
PyTorch stores a dense weight the other way round, ``(out, in)``; its fan rule is the same once the
layout is accounted for.

Every initializer has the signature ``f(shape, rng=None, dtype=np.float64) -> np.ndarray``, where
``rng`` is a ``np.random.Generator``, an int seed or ``None`` (fresh entropy).

The rules, with ``n_in = fan_in`` and ``n_out = fan_out``:

==================  ===========================  ==========================================
name                variance of the weights       source
==================  ===========================  ==========================================
lecun_*             ``1 / n_in``                  LeCun, Bottou, Orr & Müller (1998)
glorot_* (xavier)   ``2 / (n_in + n_out)``        Glorot & Bengio (2010)
he_* (kaiming)      ``2 / n_in``                  He, Zhang, Ren & Sun (2015)
==================  ===========================  ==========================================
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

from wtinit_lib._checks import as_rng, check_choice, check_positive, check_shape

__all__ = [
    "Initializer",
    "as_rng",
    "available",
    "compute_fans",
    "constant",
    "gain",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "scaled_normal",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Initializer = Callable[..., np.ndarray]

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")

#: Standard deviation of a standard normal truncated to [-2, 2]. Keras divides by it so that the
#: truncated distribution keeps the intended variance
#: (keras/src/initializers/random_initializers.py).
TRUNCATED_NORMAL_STD = 0.87962566103423978


def _check_dtype(dtype: object) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(
            f"Argument `dtype` must be a floating numpy dtype. Received: dtype={dtype!r}"
        ) from exc
    if not np.issubdtype(dt, np.floating):
        raise TypeError(
            f"Argument `dtype` must be a floating numpy dtype. Received: dtype={dtype!r}"
        )
    return dt


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """Fan-in and fan-out of a weight tensor, with Keras's rule.

    - 1-D ``(n,)``: ``(n, n)``;
    - 2-D dense kernel ``(n_in, n_out)``: ``(n_in, n_out)``;
    - more dimensions, e.g. a conv kernel ``(k_h, k_w, c_in, c_out)``: with the receptive field
      ``r = prod(shape[:-2])``, ``fan_in = r * shape[-2]`` and ``fan_out = r * shape[-1]``.
    """
    shape = check_shape(shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return receptive_field * shape[-2], receptive_field * shape[-1]


def variance_scaling(
    shape: Sequence[int],
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "normal",
    rng: object = None,
    dtype: object = np.float64,
) -> np.ndarray:
    """Draw weights whose variance is ``scale / n``, the core of every named rule.

    ``n`` is ``fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2`` depending on ``mode``.

    - ``"normal"``: plain ``N(0, std²)`` with ``std = sqrt(scale / n)``: exactly the formulas of
      the papers.
    - ``"truncated_normal"``: Keras's variant: a normal with ``stddev = sqrt(scale / n) /
      0.87962566103423978`` cut at two of its standard deviations, so the variance after the cut
      is again ``scale / n``.
    - ``"uniform"``: ``U(-limit, limit)`` with ``limit = sqrt(3 * scale / n)`` (a uniform on
      ``±a`` has variance ``a² / 3``).

    Keras 3's ``VarianceScaling`` is the model for this function.
    """
    shape = check_shape(shape)
    scale = check_positive("scale", scale)
    check_choice("mode", mode, MODES)
    check_choice("distribution", distribution, DISTRIBUTIONS)
    dt = _check_dtype(dtype)
    rng = as_rng(rng)

    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    variance = scale / n
    if distribution == "normal":
        values = rng.normal(0.0, math.sqrt(variance), size=shape)
    elif distribution == "truncated_normal":
        std = math.sqrt(variance) / TRUNCATED_NORMAL_STD
        values = _truncated_standard_normal(shape, rng) * std
    else:
        limit = math.sqrt(3.0 * variance)
        values = rng.uniform(-limit, limit, size=shape)
    return values.astype(dt, copy=False)


def _truncated_standard_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal draws cut at ±2, by redrawing the ones outside (about 4.6% per round)."""
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values


# --- constant initializers ------------------------------------------------------------------


def zeros(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
    """All zeros. Fine for biases; for weights it keeps every unit of a layer identical."""
    return np.zeros(check_shape(shape), dtype=_check_dtype(dtype))


def ones(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
    """All ones: a constant initializer, as symmetric as zeros."""
    return np.ones(check_shape(shape), dtype=_check_dtype(dtype))


def constant(value: float) -> Initializer:
    """An initializer that fills every entry with ``value``.

    >>> constant(0.1)((3,))
    array([0.1, 0.1, 0.1])
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
        raise TypeError(f"Argument `value` must be a finite number. Received: value={value!r}")

    def init(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
        return np.full(check_shape(shape), float(value), dtype=_check_dtype(dtype))

    init.__name__ = f"constant({value!r})"
    return init


# --- plain random initializers --------------------------------------------------------------


def random_normal(
    shape: Sequence[int],
    rng: object = None,
    dtype: object = np.float64,
    std: float = 0.05,
    mean: float = 0.0,
) -> np.ndarray:
    """``N(mean, std²)`` whatever the layer's size (Keras's ``RandomNormal``: ``std=0.05``)."""
    shape = check_shape(shape)
    std = check_positive("std", std)
    values = as_rng(rng).normal(float(mean), std, size=shape)
    return values.astype(_check_dtype(dtype), copy=False)


def random_uniform(
    shape: Sequence[int],
    rng: object = None,
    dtype: object = np.float64,
    limit: float = 0.05,
) -> np.ndarray:
    """``U(-limit, limit)`` whatever the layer's size (Keras's ``RandomUniform`` default ±0.05)."""
    shape = check_shape(shape)
    limit = check_positive("limit", limit)
    values = as_rng(rng).uniform(-limit, limit, size=shape)
    return values.astype(_check_dtype(dtype), copy=False)


def scaled_normal(std: float) -> Initializer:
    """An initializer drawing ``N(0, std²)``: e.g. ``scaled_normal(10.0)`` is "randn × 10"."""
    std = check_positive("std", std)

    def init(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
        return random_normal(shape, rng=rng, dtype=dtype, std=std)

    init.__name__ = f"scaled_normal({std!r})"
    return init


# --- the named rules --------------------------------------------------------------------------


def lecun_normal(
    shape: Sequence[int], rng: object = None, dtype: object = np.float64
) -> np.ndarray:
    """LeCun normal: ``N(0, 1 / n_in)``, i.e. ``std = sqrt(1 / fan_in)``.

    The rule keeps the variance of a layer's pre-activations equal to that of its inputs when the
    activation is close to linear around zero (LeCun, Bottou, Orr & Müller 1998, "Efficient
    BackProp"). Many tutorials call it "Xavier"; it is not Glorot & Bengio's rule.
    Unlike Keras's ``LecunNormal`` this is the plain normal; use
    ``variance_scaling(..., distribution="truncated_normal")`` for Keras's variant.
    """
    return variance_scaling(shape, 1.0, "fan_in", "normal", rng, dtype)


def lecun_uniform(
    shape: Sequence[int], rng: object = None, dtype: object = np.float64
) -> np.ndarray:
    """LeCun uniform: ``U(-limit, limit)``, ``limit = sqrt(3 / fan_in)`` (variance ``1/n_in``)."""
    return variance_scaling(shape, 1.0, "fan_in", "uniform", rng, dtype)


def glorot_normal(
    shape: Sequence[int], rng: object = None, dtype: object = np.float64
) -> np.ndarray:
    """Glorot (Xavier) normal: ``N(0, 2 / (n_in + n_out))``.

    Glorot & Bengio (2010) ask for ``Var(w) = 1/n_in`` to keep the forward signal and
    ``1/n_out`` to keep the backward one, and compromise with the harmonic mean
    ``2 / (n_in + n_out)``. Also known as Xavier initialization.
    """
    return variance_scaling(shape, 1.0, "fan_avg", "normal", rng, dtype)


def glorot_uniform(
    shape: Sequence[int], rng: object = None, dtype: object = np.float64
) -> np.ndarray:
    """Glorot (Xavier) uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / (n_in + n_out))``.

    The "normalized initialization" of Glorot & Bengio (2010, eq. 16), and Keras's default
    kernel initializer. Also known as Xavier uniform.
    """
    return variance_scaling(shape, 1.0, "fan_avg", "uniform", rng, dtype)


def he_normal(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
    """He (Kaiming) normal: ``N(0, 2 / n_in)``, i.e. ``std = sqrt(2 / fan_in)``.

    A ReLU zeroes half of a symmetric input, so ``E[relu(z)²] = Var(z) / 2``; doubling the
    variance compensates (He, Zhang, Ren & Sun 2015, eq. 10). Also known as Kaiming initialization.
    This is the plain normal of the paper; Keras's ``HeNormal`` is the truncated variant,
    ``variance_scaling(shape, 2.0, "fan_in", "truncated_normal")``.
    """
    return variance_scaling(shape, 2.0, "fan_in", "normal", rng, dtype)


def he_uniform(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
    """He (Kaiming) uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / fan_in)`` (He et al. 2015)."""
    return variance_scaling(shape, 2.0, "fan_in", "uniform", rng, dtype)


xavier_normal = glorot_normal
xavier_uniform = glorot_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


def orthogonal(
    shape: Sequence[int],
    rng: object = None,
    dtype: object = np.float64,
    gain: float = 1.0,
) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe, McClelland & Ganguli 2013).

    The tensor is flattened to ``(prod(shape[:-1]), shape[-1])``; the QR decomposition of a
    Gaussian matrix gives orthonormal columns (or rows, when there are more columns than rows),
    with the signs of ``R``'s diagonal folded in so the result is uniformly distributed.
    Every singular value equals ``gain``, so the matrix preserves the norm of any input
    direction exactly (scaled by ``gain``).
    """
    shape = check_shape(shape)
    gain = check_positive("gain", gain)
    if len(shape) < 2:
        raise ValueError(
            "Argument `shape` must have at least 2 dimensions for `orthogonal`. "
            f"Received: shape={shape}"
        )
    rows, cols = math.prod(shape[:-1]), shape[-1]
    flat = as_rng(rng).standard_normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return (gain * q).reshape(shape).astype(_check_dtype(dtype), copy=False)


# --- lookup -----------------------------------------------------------------------------------

_REGISTRY: dict[str, Initializer] = {
    "zeros": zeros,
    "ones": ones,
    "random_normal": random_normal,
    "random_uniform": random_uniform,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_normal": kaiming_normal,
    "kaiming_uniform": kaiming_uniform,
    "orthogonal": orthogonal,
}


def available() -> list[str]:
    """The names :func:`get` accepts, sorted."""
    return sorted(_REGISTRY)


def get(identifier: str | Initializer) -> Initializer:
    """Look an initializer up by name, or pass a callable through unchanged."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _REGISTRY:
        return _REGISTRY[identifier]
    raise ValueError(
        "Argument `identifier` must be a callable or one of "
        f"{', '.join(available())}. Received: identifier={identifier!r}"
    )


_GAINS = {
    "linear": 1.0,
    "conv": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4.0,
}


def gain(activation: str, negative_slope: float = 0.01) -> float:
    """The recommended gain for an activation: PyTorch's ``torch.nn.init.calculate_gain`` table.

    ========== ==================================
    activation gain
    ========== ==================================
    linear     1
    sigmoid    1
    tanh       5/3
    relu       √2
    leaky_relu √(2 / (1 + negative_slope²))
    selu       3/4
    ========== ==================================

    The weights' standard deviation is then ``gain / sqrt(fan)``; for ReLU that is He's
    ``sqrt(2 / fan_in)``.
    """
    if activation == "leaky_relu":
        slope = check_positive("negative_slope", negative_slope, allow_zero=True)
        return math.sqrt(2.0 / (1.0 + slope**2))
    check_choice("activation", activation, (*_GAINS, "leaky_relu"))
    return _GAINS[activation]
