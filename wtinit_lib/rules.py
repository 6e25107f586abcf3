"""The numbers the initialization rules are made of: fans, the table of rules, gains.

Layout (Keras's, used throughout the book): a dense kernel has shape ``(fan_in, fan_out)``; a
convolution kernel has shape ``(k_h, k_w, c_in, c_out)``. PyTorch stores a dense weight the other
way round, ``(out, in)``; its fan rule is the same once the layout is accounted for.
:mod:`wtinit_lib.initializers` draws weights with these numbers (and re-exports them);
:mod:`wtinit_lib.theory` predicts with them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from wtinit_lib._checks import check_choice, check_int, check_positive, check_shape

__all__ = [
    "MODES",
    "RULES",
    "TRUNCATED_NORMAL_STD",
    "compute_fans",
    "deepnorm_constants",
    "fan",
    "fixup_scale",
    "gain",
    "gpt2_residual_std",
    "rule_variance",
]

MODES = ("fan_in", "fan_out", "fan_avg")

#: The named rules as ``(scale, mode)`` of ``initializers.variance_scaling``:
#: ``Var(w) = scale / n`` with ``n`` the fan of ``mode``. One table, read by the initializers and
#: by the theory.
RULES: dict[str, tuple[float, str]] = {
    "lecun": (1.0, "fan_in"),
    "glorot": (1.0, "fan_avg"),
    "he": (2.0, "fan_in"),
}
_RULE_ALIASES = {"xavier": "glorot", "kaiming": "he"}

#: Standard deviation of a standard normal truncated to [-2, 2]. Keras divides by it so that the
#: truncated distribution keeps the intended variance
#: (keras/src/initializers/random_initializers.py).
TRUNCATED_NORMAL_STD = 0.87962566103423978


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


def fan(mode: str, fan_in: int, fan_out: int) -> float:
    """The ``n`` of ``Var(w) = scale / n``: ``fan_in``, ``fan_out`` or their mean (``fan_avg``)."""
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]


def rule_variance(rule: str, fan_in: int, fan_out: int) -> float:
    """``Var(w)`` of a layer under a rule of ``RULES`` (``"xavier"``, ``"kaiming"`` accepted)."""
    check_choice("rule", rule, (*RULES, *_RULE_ALIASES))
    scale, mode = RULES[_RULE_ALIASES.get(rule, rule)]
    return scale / fan(mode, fan_in, fan_out)


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


# --- depth rules of residual networks -------------------------------------------------------------


def fixup_scale(num_branches: int, m: int = 2) -> float:
    """``L^(-1/(2m-2))``: Fixup's factor for the weight layers inside each residual branch.

    Zhang, Dauphin & Ma (2019, §3): with ``L`` residual branches of ``m`` layers each, initialize
    the classification layer and the last layer of every branch to 0, draw the other layers with
    a standard rule (He et al. 2015) and multiply the weight layers inside the branches by this
    factor. ``m = 2`` gives ``1/√L``.
    """
    num_branches = check_int("num_branches", num_branches)
    m = check_int("m", m, 2)
    return float(num_branches ** (-1.0 / (2 * m - 2)))


def gpt2_residual_std(n_layer: int, std: float = 0.02) -> float:
    """``std / √(2 · n_layer)``: the initial standard deviation of GPT-2's residual projections.

    Radford et al. (2019) "scale the weights of residual layers at initialization by a factor of
    1/√N where N is the number of residual layers"; each of the ``n_layer`` blocks has two
    (attention and MLP), so ``N = 2 · n_layer``, as in nanoGPT's ``c_proj`` weights. Every other
    weight (and the embeddings) is ``N(0, std²)`` with ``std = 0.02``.
    """
    n_layer = check_int("n_layer", n_layer)
    std = check_positive("std", std)
    return std / math.sqrt(2.0 * n_layer)


def deepnorm_constants(num_layers: int) -> tuple[float, float]:
    """DeepNorm's ``(α, β) = ((2N)^(1/4), (8N)^(-1/4))`` for ``N = num_layers`` (Wang et al. 2022).

    A DeepNorm sublayer computes ``LN(α · x + G(x))``, and its feed-forward (and value and
    output projection) weights are Xavier-normal times ``β``. These are the constants of an
    encoder-only or a decoder-only model of ``N`` layers (each of two sublayers); an
    encoder-decoder model has other ones (the paper's Table 1), not covered here.
    """
    num_layers = check_int("num_layers", num_layers)
    return (2.0 * num_layers) ** 0.25, (8.0 * num_layers) ** -0.25
