"""The named initializations of residual networks, as data: one core, thin presets.

A :class:`ResidualInit` says how every layer of a :class:`~wtinit_lib.residual.ResidualMLP`
starts (an initializer and a gain per kind of layer, a skip scale, an optional learnable scalar
per branch); :func:`residual_init` builds the presets of the literature from the depth rules of
:mod:`wtinit_lib.rules`, so zero-init of the branch's last layer, Fixup, ReZero, GPT-2's scaling
and DeepNorm are one argument each: ``ResidualMLP(..., init="fixup")``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from wtinit_lib import initializers, rules
from wtinit_lib._checks import check_choice, check_int

__all__ = ["PRESETS", "ResidualInit", "residual_init"]


@dataclass(frozen=True)
class ResidualInit:
    """How every layer of a :class:`ResidualMLP` starts; the gains multiply the drawn weights.

    ``input``, ``branch`` (``W₁``), ``last`` (``W₂``, ``"zeros"`` for zero-init of the branch's
    last layer) and ``output`` are initializers (names or callables, see
    :mod:`wtinit_lib.initializers`); ``skip_scale`` is the constant ``s``; ``branch_scale`` the
    starting value of a learnable scalar ``c`` per block, or ``None`` for none (``c = 1``).
    """

    input: str | Callable = "he_normal"
    branch: str | Callable = "he_normal"
    branch_gain: float = 1.0
    last: str | Callable = "he_normal"
    last_gain: float = 1.0
    output: str | Callable = "glorot_uniform"
    skip_scale: float = 1.0
    branch_scale: float | None = None


#: The presets of :func:`residual_init`.
PRESETS = ("he", "zero_last", "fixup", "rezero", "skipinit", "gpt2", "xavier", "deepnorm")


def residual_init(name: str, num_blocks: int, m: int = 2) -> ResidualInit:
    """A named initialization for ``num_blocks`` residual branches of ``m`` layers.

    - ``"he"``: He normal everywhere but the classifier: each ReLU block multiplies the
      variance by about 3;
    - ``"zero_last"``: ``W₂ = 0`` in every branch, each block starts as the identity (the zero
      γ of the last BatchNorm of a branch, Goyal et al. 2017);
    - ``"fixup"``: ``W₂ = 0``, classifier ``= 0``, ``W₁`` times ``L^(-1/(2m-2))``, a scalar
      multiplier at 1 (Zhang, Dauphin & Ma 2019); the biases, 0, play its scalar biases;
    - ``"rezero"`` / ``"skipinit"``: a learnable scalar at 0 on every branch (Bachlechner et
      al. 2020; De & Smith 2020);
    - ``"gpt2"``: ``N(0, 0.02²)`` everywhere, ``W₂`` times ``1/√L`` (Radford et al. 2019:
      ``L = 2 · n_layer`` branches);
    - ``"xavier"``: Glorot normal everywhere (the post-LN and pre-LN baselines);
    - ``"deepnorm"``: Glorot normal, both branch layers times ``β``, skip scale ``α``, with
      ``(α, β) = rules.deepnorm_constants(L / 2)`` (Wang et al. 2022; post-LN only; ``L``
      even: a transformer layer has two sublayers).
    """
    check_choice("init", name, PRESETS)
    L = check_int("num_blocks", num_blocks)
    if name == "he":
        return ResidualInit()
    if name == "zero_last":
        return ResidualInit(last="zeros")
    if name == "fixup":
        gain = rules.fixup_scale(L, m)
        return ResidualInit(branch_gain=gain, last="zeros", output="zeros", branch_scale=1.0)
    if name in ("rezero", "skipinit"):
        return ResidualInit(branch_scale=0.0)
    if name == "gpt2":
        normal = initializers.random_normal(std=0.02)
        return ResidualInit(normal, normal, 1.0, normal, 1.0 / math.sqrt(L), normal)
    glorot = "glorot_normal"
    if name == "xavier":
        return ResidualInit(glorot, glorot, 1.0, glorot, 1.0, glorot)
    if L % 2:
        raise ValueError(
            "init='deepnorm' counts transformer layers of two sublayers (N = num_blocks / 2): "
            f"`num_blocks` must be even. Received: num_blocks={L}"
        )
    alpha, beta = rules.deepnorm_constants(L // 2)
    return ResidualInit(glorot, glorot, beta, glorot, beta, glorot, skip_scale=alpha)
