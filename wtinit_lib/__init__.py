"""wtinit_lib: the numpy package behind the book *Weight Initialization, Hands-On*.

Modules by floor; a module imports only from floors below its own (``tests/test_layering.py``
checks it, so a cycle cannot creep in):

1. ``_checks`` (every argument check), ``rules`` (fans, ``RULES``, gains, depth rules),
   ``initializers`` (drawing weights), ``activations`` (each next to its derivative),
   ``clipping`` (every norm), ``measures`` (numbers from arrays), ``datasets``, ``tables`` (text
   tables that fit the book's column), ``quadrature`` (Gaussian expectations at any variance),
   ``layers`` (the dense layer, forward beside backward), ``normalization`` (LayerNorm and
   BatchNorm, forward beside backward): numpy only;
2. ``losses``, ``theory`` (variance propagation), ``meanfield`` (the length and correlation maps
   of wide random networks: ``q*``, ``χ₁``, depth scales, the critical line),
   ``parametrization`` (SP and μP: initial variances and learning rates by width),
   ``layerstats`` (the per-layer record), ``schemes`` (the named initializations of residual
   networks), ``audit`` (initial parameters measured against written rules);
3. ``training`` (the loop: ``fit``, ``History``, ``DivergenceError``);
4. ``network`` (:class:`MLP`: layers, forward, backward), ``residual``
   (:class:`ResidualMLP`: residual blocks, optional norms, forward, backward);
5. ``diagnostics`` (probes on a network; builds none), ``experiments`` (code that builds networks),
   ``comparisons`` (initializers trained side by side), ``random_networks`` (wide random
   networks simulated beside the mean-field maps), ``sweeps`` (many small networks trained on a
   grid: trainability, learning times, learning rate × width);
6. ``plotting`` (a package: style, curves, histograms, boundaries, the figures redrawn in place),
   ``keras_bridge`` (the one door to TensorFlow) and ``keras_probes`` (measurements on Keras
   layers and models);
7. ``playground`` (controls that redraw one figure; imports ipywidgets only when they are shown).

Weights follow Keras's layout: a dense kernel is ``(fan_in, fan_out)`` and a layer computes
``Z = A_prev @ W + b``; a convolution kernel is ``(k_h, k_w, c_in, c_out)``.

``import wtinit_lib`` loads neither matplotlib's pyplot nor TensorFlow nor ipywidgets; import
``wtinit_lib.plotting``, ``wtinit_lib.keras_bridge`` or ``wtinit_lib.playground`` when you need
them.
"""

from wtinit_lib import activations, clipping, initializers, losses
from wtinit_lib.network import MLP, Backprop
from wtinit_lib.residual import ResidualMLP
from wtinit_lib.training import DivergenceError, History

__all__ = [
    "MLP",
    "Backprop",
    "ResidualMLP",
    "DivergenceError",
    "History",
    "activations",
    "clipping",
    "initializers",
    "losses",
]
__version__ = "0.1.0"
