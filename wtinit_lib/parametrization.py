"""Parametrizations: how initial variances and learning rates change with a network's width.

Under the standard parametrization (SP, the default of PyTorch and Keras) every weight is drawn
with variance ``scale / fan_in`` and every parameter learns at the same rate ``η``, whatever the
width. Under the maximal update parametrization (μP; Yang & Hu 2021, Tensor Programs IV; Yang et
al. 2022, Tensor Programs V) the readout starts smaller and the layers with one width-sized
dimension learn faster, so that every layer's features move by the same amount per step at any
width and the best ``η`` no longer moves with the width.

This module implements **Table 3 of Tensor Programs V for SGD, normalized at a base width**: with
``a = fan_in / base_fan_in`` and ``b = fan_out / base_fan_out`` (1 for a dimension that does not
grow, such as the input or the classes) ::

    weights:  Var(W) = scale / fan_in · (1/a for the readout, where b = 1 < a; else 1)
              lr(W)  = η · b / a         (input layer: η·m, hidden: η, readout: η/m)
    biases:   lr(b)  = η · b             (hidden biases: η·m, output bias: η)

with ``m`` the width multiplier. At the base width every multiplier is 1: μP *is* SP there. The
table in the paper reads "input weights & all biases: lr η·fan_out"; the output bias has a fixed
fan_out, so it keeps ``η``. The ``mup`` package implements the equivalent Table 8 (a readout
multiplier ``1/m`` in the forward pass, readout variance ``scale/fan_in``, readout lr ``η·m``);
the two give the same function at every step (the abc-symmetry of Lemma J.1 of the paper), which
``tests/test_parametrization.py`` checks. Only SGD is covered: for Adam the paper's table differs
(hidden weights ``η/m``, vector-like parameters ``η``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wtinit_lib import initializers
from wtinit_lib._checks import check_choice, check_layer_sizes, check_positive

__all__ = ["KINDS", "READOUTS", "Parametrization", "parametrization"]

KINDS = ("standard", "mup")
READOUTS = ("scaled", "zero")


@dataclass(frozen=True)
class Parametrization:
    """Per-layer initial-variance multipliers and per-array learning-rate multipliers.

    Attributes:
        kind: ``"standard"`` or ``"mup"``.
        layer_sizes, base_layer_sizes: the network's sizes and those it is normalized at.
        width_mults: ``n / n_base`` for every entry of ``layer_sizes``.
        weight_var_scales: one per layer: ``Var(W^ℓ) = scale · weight_var_scales[ℓ-1] / fan_in``
            (0 for a zero readout).
        lr_scales: one per array of ``MLP.parameters()`` (``[W1, b1, W2, b2, ...]``): array ``θ``
            learns at ``η · s_θ``. ``training.fit(..., lr_scales=p)`` reads it.
    """

    kind: str
    layer_sizes: tuple[int, ...]
    base_layer_sizes: tuple[int, ...]
    width_mults: tuple[float, ...]
    weight_var_scales: tuple[float, ...]
    lr_scales: tuple[float, ...]

    def initializers(
        self, scale: float = 1.0, distribution: str = "normal"
    ) -> list[initializers.Initializer]:
        """One weight initializer per layer for ``MLP(..., weight_init=...)``: variance
        ``scale · weight_var_scales[ℓ-1] / fan_in`` (``scale`` 1 for LeCun's rule, 2 for He's),
        through ``initializers.variance_scaling``; ``zeros`` where the multiplier is 0."""
        scale = check_positive("scale", scale)
        return [
            initializers.variance_scaling(scale * s, "fan_in", distribution)
            if s > 0
            else initializers.zeros
            for s in self.weight_var_scales
        ]

    @property
    def weight_lr_scales(self) -> tuple[float, ...]:
        """The learning-rate multipliers of the weights ``W1, W2, ...``."""
        return self.lr_scales[0::2]

    @property
    def bias_lr_scales(self) -> tuple[float, ...]:
        """The learning-rate multipliers of the biases ``b1, b2, ...``."""
        return self.lr_scales[1::2]


def parametrization(
    layer_sizes: Sequence[int],
    base_layer_sizes: Sequence[int] | None = None,
    kind: str = "mup",
    readout: str = "scaled",
) -> Parametrization:
    """SP or μP (Table 3 of Tensor Programs V, SGD, normalized at ``base_layer_sizes``).

    Args:
        layer_sizes: the network's sizes, e.g. ``[64, 512, 512, 10]``.
        base_layer_sizes: the sizes at which μP equals SP, e.g. ``[64, 32, 32, 10]`` (default:
            ``layer_sizes``, where both are SP). A size equal to its base (inputs, classes) is a
            dimension that does not grow.
        kind: ``"standard"`` (every multiplier 1) or ``"mup"``.
        readout: ``"scaled"`` (readout variance divided by ``m``) or ``"zero"`` (the readout
            starts at 0, which the paper allows and the ``mup`` package offers); μP only.

    Example: ``parametrization([64, 512, 512, 10], [64, 128, 128, 10])`` has
    ``weight_var_scales == (1, 1, 0.25)`` and ``lr_scales == (4, 4, 1, 4, 0.25, 1)``.
    """
    sizes = check_layer_sizes(layer_sizes)
    base = sizes if base_layer_sizes is None else check_layer_sizes(base_layer_sizes)
    if len(base) != len(sizes):
        raise ValueError(
            "Arguments `layer_sizes` and `base_layer_sizes` must have the same length. "
            f"Received: layer_sizes={list(sizes)}, base_layer_sizes={list(base)}"
        )
    check_choice("kind", kind, KINDS)
    check_choice("readout", readout, READOUTS)
    mults = tuple(n / n0 for n, n0 in zip(sizes, base))
    num_layers = len(sizes) - 1
    variances, lrs = [], []
    for i in range(num_layers):
        a, b = mults[i], mults[i + 1]  # fan_in and fan_out multipliers
        if kind == "standard":
            variances.append(1.0)
            lrs += [1.0, 1.0]
            continue
        is_readout = i == num_layers - 1
        if is_readout and readout == "zero":
            variances.append(0.0)
        else:
            variances.append(1.0 / a if b == 1.0 and a != 1.0 else 1.0)
        lrs += [b / a, b]
    return Parametrization(kind, sizes, base, mults, tuple(variances), tuple(lrs))
