"""wtinit_lib: the numpy package behind the book *Weight Initialization, Hands-On*.

Modules, from the bottom up (imports point down only):

- ``initializers``, ``activations``, ``clipping``: numpy only;
- ``losses`` and ``network`` (:class:`MLP`, hand-written forward and backward passes);
- ``diagnostics`` (per-layer statistics, variance-propagation theory) and ``datasets``;
- ``plotting`` (matplotlib) and ``keras_bridge`` (the only module that imports TensorFlow).

Weights follow Keras's layout: a dense kernel is ``(fan_in, fan_out)`` and a layer computes
``Z = A_prev @ W + b``; a convolution kernel is ``(k_h, k_w, c_in, c_out)``.

``import wtinit_lib`` loads neither matplotlib's pyplot nor TensorFlow; import
``wtinit_lib.plotting`` or ``wtinit_lib.keras_bridge`` when you need them.
"""

from wtinit_lib import activations, clipping, initializers, losses
from wtinit_lib.network import MLP, Backprop, DivergenceError, History

__all__ = [
    "MLP",
    "Backprop",
    "DivergenceError",
    "History",
    "activations",
    "clipping",
    "initializers",
    "losses",
]
__version__ = "0.1.0"
