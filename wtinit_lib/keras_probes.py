"""Measurements on Keras layers and models: a layer's fans by autodiff, every batch's loss.

Imports Keras (and TensorFlow) through :mod:`wtinit_lib.keras_bridge`, which silences
TensorFlow's start-up messages.

- :func:`measured_fans`: the fan-in and fan-out of a layer as its forward and backward passes see
  them, where the fan rule of :func:`wtinit_lib.initializers.compute_fans` reads only the
  kernel's shape (and is wrong for depthwise and transposed convolutions, and ignores strides);
- :class:`BatchLosses`: a ``model.fit`` callback that records the training loss of every batch
  (Keras reports the running mean of the epoch).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from wtinit_lib.keras_bridge import keras

__all__ = ["BatchLosses", "measured_fans"]


def measured_fans(layer: keras.layers.Layer, input_shape: tuple[int, ...]) -> tuple[float, float]:
    """The fans of ``layer`` as its passes see them, measured on an input of ``input_shape``.

    ``fan_in``: the number of input entries one output entry depends on (the sum of the forward
    variance argument, He et al. 2015); ``fan_out``: the number of outputs one input entry reaches
    (the backward sum, Glorot & Bengio 2010). A copy of the layer with every kernel entry 1, no
    bias and a linear activation computes ``y = A x`` with ``A`` a 0/1 matrix, so ``y(1)`` counts
    each output's inputs and the gradient of ``Σ y`` (TensorFlow's autodiff) each input's outputs,
    averaged over a central block of positions (away from the borders, a whole number of strides
    wide: a strided convolution's fan-out is ``k² c_out / s²`` on average). Unlike
    :func:`wtinit_lib.initializers.compute_fans`, which reads only the kernel's shape, this sees
    what the layer computes: a ``DepthwiseConv2D`` has fan-in ``k²``, not ``k² c_in``, and a
    ``Conv2DTranspose`` kernel stores ``c_out`` before ``c_in``.

    Args:
        layer: a Keras layer whose output is linear in its input once its kernels are fixed
            (``Dense``, ``ConvND``, ``DepthwiseConvND``, ``ConvNDTranspose``); it is not changed.
        input_shape: one example's shape, channels last, e.g. ``(16, 16, 32)``; make the spatial
            size several kernel widths and strides larger than the kernel.

    Returns:
        ``(fan_in, fan_out)`` as floats (whole numbers unless a stride makes them vary).
    """
    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"Argument `layer` must be a Keras layer. Received: {type(layer).__name__}")
    shape = tuple(int(n) for n in input_shape)
    if not shape or any(n < 1 for n in shape):
        raise ValueError(
            "Argument `input_shape` must be one example's shape, e.g. (16, 16, 32). "
            f"Received: input_shape={input_shape!r}"
        )
    config = layer.get_config()
    if "activation" in config:
        config["activation"] = "linear"
    clone = type(layer).from_config(config)
    clone.build((1, *shape))
    x = tf.ones((1, *shape), dtype=clone.compute_dtype)  # counts: exact in float32 too
    for weight in clone.weights:
        weight.assign(np.ones(weight.shape) if len(weight.shape) > 1 else np.zeros(weight.shape))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clone(x)
        total = tf.reduce_sum(y)
    per_output = y.numpy()[0]
    per_input = tape.gradient(total, x).numpy()[0]
    return _central_mean(per_output, clone), _central_mean(per_input, clone)


def _central_mean(counts: np.ndarray, layer: keras.layers.Layer) -> float:
    """The mean of ``counts`` (spatial dims, then channels) over a central block of positions."""
    spatial = counts.shape[:-1]
    if not spatial:
        return float(np.mean(counts))
    config = layer.get_config()
    strides = config.get("strides", 1)
    strides = (strides,) * len(spatial) if isinstance(strides, int) else tuple(strides)
    block = []
    for n, s in zip(spatial, strides):
        width = 2 * s if n >= 4 * s else s
        start = (n - width) // 2
        if n < width:
            raise ValueError(
                "Argument `input_shape` is too small for the layer's kernel and stride. "
                f"Received: spatial size {n}, stride {s}"
            )
        block.append(slice(start, start + width))
    return float(np.mean(counts[tuple(block)]))


class BatchLosses(keras.callbacks.Callback):
    """``model.fit(..., callbacks=[recorder])``: the training loss of every batch in ``losses``.

    Keras passes ``on_train_batch_end`` the mean loss of the epoch so far, weighted by batch
    size; this undoes the mean: with ``n_k`` examples seen after batch ``k`` and running mean
    ``S_k``, batch ``k``'s loss is ``(n_k S_k - n_{k-1} S_{k-1}) / (n_k - n_{k-1})``. Give the
    ``num_examples`` and ``batch_size`` that ``fit`` uses (no ``validation_split``).
    """

    def __init__(self, num_examples: int, batch_size: int) -> None:
        super().__init__()
        self.num_examples = int(num_examples)
        self.batch_size = int(batch_size)
        self.losses: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._seen, self._mean = 0, 0.0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        size = min(self.batch_size, self.num_examples - self._seen)
        mean = float(logs["loss"])
        seen = self._seen + size
        self.losses.append((seen * mean - self._seen * self._mean) / size)
        self._seen, self._mean = seen, mean
