"""Weight initializers: one core (`variance_scaling`), thin named presets on top of it.

An *initializer* is called as ``init(shape, rng=None, dtype=np.float64)`` and returns a new
array; ``rng`` is a ``np.random.Generator``, an int seed or ``None`` (fresh entropy). A *family*
with parameters is a function of those parameters that returns an initializer, as Keras's
classes do: ``random_normal(std=10.0)``, ``constant(0.5)``, ``orthogonal(gain=1.1)``,
``variance_scaling(scale=1/3, distribution="uniform")``. That is the one way to parametrise an
initializer; the presets (``he_normal``, ``glorot_uniform``, ...) are initializers already.

The numbers behind the rules (fans, ``RULES``, ``gain``) live in :mod:`wtinit_lib.rules` and are
re-exported here. Layout: a dense kernel is ``(fan_in, fan_out)``, a conv kernel ``(k_h, k_w,
c_in, c_out)`` (Keras's), and a layer computes ``Z = A_prev @ W + b``.

==================  ===========================  ==========================================
rule                variance of the weights       source
==================  ===========================  ==========================================
lecun_*             ``1 / n_in``                  LeCun, Bottou, Orr & Müller (1998)
glorot_* (xavier)   ``2 / (n_in + n_out)``        Glorot & Bengio (2010)
he_* (kaiming)      ``2 / n_in``                  He, Zhang, Ren & Sun (2015)
==================  ===========================  ==========================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from wtinit_lib._checks import (
    as_rng,
    check_choice,
    check_finite,
    check_float_dtype,
    check_positive,
    check_shape,
)
from wtinit_lib.rules import (
    MODES,
    RULES,
    TRUNCATED_NORMAL_STD,
    compute_fans,
    fan,
    gain,
    rule_variance,
)

__all__ = [
    "FAMILIES",
    "RULES",
    "TRUNCATED_NORMAL_STD",
    "Initializer",
    "available",
    "compute_fans",
    "constant",
    "gain",
    "get",
    "get_per_layer",
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
    "rule_variance",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")

Draw = Callable[[tuple[int, ...], np.random.Generator], np.ndarray]


class Initializer:
    """A named rule that draws a weight tensor: ``init(shape, rng=None, dtype=np.float64)``.

    ``name`` and ``config`` (the family's parameters) describe it, e.g. ``random_normal`` with
    ``{"std": 10.0}``; ``repr`` shows both. ``draw(shape, rng)`` returns float64 values, cast to
    ``dtype`` afterwards.
    """

    def __init__(self, name: str, draw: Draw, doc: str = "", **config: Any) -> None:
        self.name = name
        self.config = config
        self._draw = draw
        self.__doc__ = doc or self.__doc__

    def __call__(
        self, shape: Sequence[int], rng: object = None, dtype: object = np.float64
    ) -> np.ndarray:
        shape = check_shape(shape)
        dt = check_float_dtype(dtype)
        return self._draw(shape, rng).astype(dt, copy=False)

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.config.items())
        return f"{self.name}({args})" if self.config else self.name


# --- the core ---------------------------------------------------------------------------------


def variance_scaling(
    scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal"
) -> Initializer:
    """Weights whose variance is ``scale / n``, the core of every named rule.

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
    scale = check_positive("scale", scale)
    check_choice("mode", mode, MODES)
    check_choice("distribution", distribution, DISTRIBUTIONS)

    def draw(shape: tuple[int, ...], rng: object) -> np.ndarray:
        rng = as_rng(rng)
        variance = scale / fan(mode, *compute_fans(shape))
        if distribution == "normal":
            return rng.normal(0.0, math.sqrt(variance), size=shape)
        if distribution == "truncated_normal":
            std = math.sqrt(variance) / TRUNCATED_NORMAL_STD
            return _truncated_standard_normal(shape, rng) * std
        limit = math.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, size=shape)

    config = {"scale": scale, "mode": mode, "distribution": distribution}
    return Initializer("variance_scaling", draw, **config)


def _truncated_standard_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal draws cut at ±2, by redrawing the ones outside (about 4.6% per round)."""
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values


def _preset(name: str, rule: str, distribution: str, doc: str) -> Initializer:
    scale, mode = RULES[rule]
    core = variance_scaling(scale, mode, distribution)
    return Initializer(name, core._draw, doc=doc)


# --- the named rules --------------------------------------------------------------------------

lecun_normal = _preset(
    "lecun_normal",
    "lecun",
    "normal",
    """LeCun normal: ``N(0, 1 / n_in)`` (LeCun, Bottou, Orr & Müller 1998, "Efficient BackProp").
    It keeps the pre-activations' variance when the activation is nearly linear around zero. Many
    tutorials call it "Xavier"; it is not Glorot & Bengio's rule. Keras's ``LecunNormal`` is the
    truncated variant, ``variance_scaling(1.0, "fan_in", "truncated_normal")``.""",
)
lecun_uniform = _preset(
    "lecun_uniform",
    "lecun",
    "uniform",
    "LeCun uniform: ``U(-limit, limit)``, ``limit = sqrt(3 / fan_in)`` (variance ``1/n_in``).",
)
glorot_normal = _preset(
    "glorot_normal",
    "glorot",
    "normal",
    """Glorot (Xavier) normal: ``N(0, 2 / (n_in + n_out))`` (Glorot & Bengio 2010): the harmonic
    mean of ``1/n_in`` (keeps the forward signal) and ``1/n_out`` (keeps the backward one).""",
)
glorot_uniform = _preset(
    "glorot_uniform",
    "glorot",
    "uniform",
    """Glorot (Xavier) uniform: ``U(±sqrt(6 / (n_in + n_out)))``, the "normalized initialization"
    of Glorot & Bengio (2010, eq. 16) and Keras's default kernel initializer.""",
)
he_normal = _preset(
    "he_normal",
    "he",
    "normal",
    """He (Kaiming) normal: ``N(0, 2 / n_in)`` (He, Zhang, Ren & Sun 2015, eq. 10): a ReLU zeroes
    half of a symmetric input, ``E[relu(z)²] = Var(z) / 2``, and the 2 compensates. The plain
    normal of the paper; Keras's ``HeNormal`` is ``variance_scaling(2.0, "fan_in",
    "truncated_normal")``.""",
)
he_uniform = _preset(
    "he_uniform",
    "he",
    "uniform",
    "He (Kaiming) uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / fan_in)`` (He et al. 2015).",
)

xavier_normal = glorot_normal
xavier_uniform = glorot_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


# --- constants and fixed scales -----------------------------------------------------------------

zeros = Initializer(
    "zeros",
    lambda shape, rng: np.zeros(shape),
    doc="All zeros. Fine for biases; for weights it keeps every unit of a layer identical.",
)
ones = Initializer(
    "ones",
    lambda shape, rng: np.ones(shape),
    doc="All ones: a constant initializer, as symmetric as zeros.",
)


def constant(value: float) -> Initializer:
    """Every entry equal to ``value``: ``constant(0.1)((3,))`` is ``[0.1, 0.1, 0.1]``."""
    value = check_finite("value", value)
    return Initializer("constant", lambda shape, rng: np.full(shape, value), value=value)


def random_normal(std: float = 0.05, mean: float = 0.0) -> Initializer:
    """``N(mean, std²)`` whatever the layer's size; ``random_normal(std=10.0)`` is "randn × 10".

    The default is Keras's ``RandomNormal`` (``stddev=0.05``).
    """
    std = check_positive("std", std)
    mean = check_finite("mean", mean)

    def draw(shape: tuple[int, ...], rng: object) -> np.ndarray:
        return as_rng(rng).normal(mean, std, size=shape)

    return Initializer("random_normal", draw, std=std, mean=mean)


def random_uniform(limit: float = 0.05) -> Initializer:
    """``U(-limit, limit)`` whatever the layer's size (Keras's ``RandomUniform``: ±0.05)."""
    limit = check_positive("limit", limit)

    def draw(shape: tuple[int, ...], rng: object) -> np.ndarray:
        return as_rng(rng).uniform(-limit, limit, size=shape)

    return Initializer("random_uniform", draw, limit=limit)


def orthogonal(gain: float = 1.0) -> Initializer:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe, McClelland & Ganguli 2013).

    The tensor is flattened to ``(prod(shape[:-1]), shape[-1])``; the QR decomposition of a
    Gaussian matrix gives orthonormal columns (or rows, when there are more columns than rows),
    with the signs of ``R``'s diagonal folded in so the result is uniformly distributed. Every
    singular value equals ``gain``, so the matrix preserves the norm of any input direction
    exactly (scaled by ``gain``).
    """
    gain = check_positive("gain", gain)

    def draw(shape: tuple[int, ...], rng: object) -> np.ndarray:
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
        return (gain * q).reshape(shape)

    return Initializer("orthogonal", draw, gain=gain)


# --- lookup -----------------------------------------------------------------------------------

_PRESETS = {
    init.name: init
    for init in (
        zeros,
        ones,
        lecun_normal,
        lecun_uniform,
        glorot_normal,
        glorot_uniform,
        he_normal,
        he_uniform,
    )
}
#: Families by name: the name alone means the family's defaults (``"orthogonal"``: gain 1).
FAMILIES: dict[str, Callable[..., Initializer]] = {
    "constant": constant,
    "orthogonal": orthogonal,
    "random_normal": random_normal,
    "random_uniform": random_uniform,
    "variance_scaling": variance_scaling,
}
_ALIASES = {
    "xavier_normal": "glorot_normal",
    "xavier_uniform": "glorot_uniform",
    "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform",
}


def available() -> list[str]:
    """The names :func:`get` accepts (without aliases such as ``"xavier_uniform"``), sorted."""
    return sorted({*_PRESETS, *(name for name in FAMILIES if name != "constant")})


def get(identifier: str | Initializer | Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """An initializer by name (a preset, an alias or a family with its defaults), or a callable
    ``f(shape, rng, dtype)`` passed through unchanged."""
    if callable(identifier):
        return identifier
    name = _ALIASES.get(identifier, identifier) if isinstance(identifier, str) else None
    if name in _PRESETS:
        return _PRESETS[name]
    if name in FAMILIES and name != "constant":
        return FAMILIES[name]()
    raise ValueError(
        "Argument `identifier` must be a callable or one of "
        f"{', '.join(available())}. Received: identifier={identifier!r}"
    )


def get_per_layer(
    spec: object, num_layers: int, name: str = "identifier"
) -> list[Callable[..., np.ndarray]]:
    """One initializer per layer from a name, a callable, or a list with one of them per layer
    (``name`` is the argument's name in error messages, e.g. ``"weight_init"``)."""
    specs = list(spec) if isinstance(spec, (list, tuple)) else [spec] * num_layers
    if len(specs) != num_layers:
        raise ValueError(
            f"Argument `{name}` must have one entry per layer ({num_layers}). "
            f"Received: {len(specs)} entries"
        )
    try:
        return [get(s) for s in specs]
    except ValueError:
        raise ValueError(
            f"Argument `{name}` must be a callable or one of {', '.join(available())}, or a "
            f"list of them. Received: {name}={spec!r}"
        ) from None
