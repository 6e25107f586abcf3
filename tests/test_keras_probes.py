"""wtinit_lib.keras_probes: fans measured by autodiff (against the full Jacobian and the fan
formulas), per-batch losses (against the loss of each batch computed directly)."""

import keras
import numpy as np
import pytest

from wtinit_lib import initializers
from wtinit_lib import keras_probes as kp

# --- measured_fans --------------------------------------------------------------------------------


def _jacobian_counts(layer, shape):
    """Brute force: the nonzero entries of the full Jacobian of a random-kernel copy of the layer,
    row (one output) and column (one input) at the centre."""
    import tensorflow as tf

    clone = type(layer).from_config({**layer.get_config(), "use_bias": False})
    clone.build((1, *shape))
    rng = np.random.default_rng(0)
    for weight in clone.weights:
        weight.assign(rng.uniform(1.0, 2.0, weight.shape))  # positive: no cancellation
    x = tf.constant(rng.uniform(1.0, 2.0, (1, *shape)), dtype=clone.compute_dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clone(x)
    J = tape.jacobian(y, x).numpy()[0, ..., 0, :, :, :]  # (H_out, W_out, C_out, H, W, C)
    H_out, W_out = J.shape[:2]
    row = J[H_out // 2, W_out // 2]  # every output channel at the centre
    col = J[..., shape[0] // 2, shape[1] // 2, :]  # every input channel at the centre
    fan_in = np.mean([np.sum(row[c] != 0) for c in range(row.shape[0])])
    fan_out = np.mean([np.sum(col[..., c] != 0) for c in range(col.shape[-1])])
    return fan_in, fan_out


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.Conv2D(6, 3, padding="same"),
        lambda: keras.layers.Conv2D(6, (3, 5), padding="valid", activation="relu"),
        lambda: keras.layers.DepthwiseConv2D(3, padding="same"),
        lambda: keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
        lambda: keras.layers.Conv2DTranspose(6, 3, padding="same"),
    ],
)
def test_measured_fans_agree_with_the_full_jacobian(make):
    layer = make()
    shape = (13, 13, 4)  # several kernel widths: the centre is away from every border
    assert kp.measured_fans(layer, shape) == pytest.approx(_jacobian_counts(layer, shape))
    assert not layer.built  # the layer itself is left alone


def test_measured_fans_see_what_the_shape_rule_cannot():
    L = keras.layers
    c_in, c_out, k = 8, 16, 3
    shape = (16, 16, c_in)
    # an ordinary convolution: the rule k^2 c_in, k^2 c_out
    layer = L.Conv2D(c_out, k, padding="same")
    assert kp.measured_fans(layer, shape) == (k * k * c_in, k * k * c_out)
    layer.build((None, *shape))
    assert initializers.compute_fans(tuple(layer.kernel.shape)) == (k * k * c_in, k * k * c_out)
    # a stride s divides the fan-out (averaged over the s^2 phases): k^2 c_out / s^2
    assert kp.measured_fans(L.Conv2D(c_out, k, strides=2, padding="same"), shape) == (
        k * k * c_in,
        k * k * c_out / 4,
    )
    # depthwise: each output sees one channel, though the kernel is (k, k, c_in, 1)
    assert kp.measured_fans(L.DepthwiseConv2D(k, padding="same"), shape) == (k * k, k * k)
    # transposed: the kernel is (k, k, c_out, c_in), the passes are a convolution's
    assert kp.measured_fans(L.Conv2DTranspose(c_out, k, padding="same"), shape) == (
        k * k * c_in,
        k * k * c_out,
    )
    assert kp.measured_fans(L.Conv2DTranspose(c_out, k, strides=2, padding="same"), shape) == (
        k * k * c_in / 4,
        k * k * c_out,
    )
    assert kp.measured_fans(L.Dense(7), (5,)) == (5, 7)
    assert kp.measured_fans(L.Conv1D(4, 5, strides=2, padding="same"), (32, 3)) == (15, 10)


def test_measured_fans_bad_input():
    with pytest.raises(TypeError, match="`layer` must be a Keras layer"):
        kp.measured_fans("conv", (8, 8, 1))
    with pytest.raises(ValueError, match="`input_shape`"):
        kp.measured_fans(keras.layers.Dense(3), (0,))


def test_batch_losses_are_each_batch_s_own_loss():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 1))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, dtype="float64")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # the weights stay put
    recorder = kp.BatchLosses(num_examples=10, batch_size=4)
    model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    residual = np.asarray(model(X)) - y
    own = [float(np.mean(residual[i : i + 4] ** 2)) for i in (0, 4, 8)]  # sizes 4, 4, 2
    np.testing.assert_allclose(recorder.losses, own * 2, rtol=1e-6)
