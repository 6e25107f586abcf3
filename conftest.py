"""Settings for every pytest run at the root (unit tests and nbval on the chapters).

Each notebook's kernel inherits this process's environment, so the environment decides what the
notebooks print. ``tools/notebook_env.py`` holds the one definition of it (``BASE_ENV``: one
BLAS, OpenMP and TensorFlow thread per process, the inline figure backend, Keras on TensorFlow,
no CPU-emulation variables). ``make test`` and ``make test-portable`` start pytest through that
file; when pytest is started directly, the same environment is applied here, so a stray
``MPLBACKEND=Agg`` or thread count in a reader's shell cannot turn the run red.

Why one thread: pytest-xdist runs one worker per core (``-n auto``) and each notebook's kernel is
a child of its worker; two workers with a BLAS thread per core each start threads that spin
while they wait for each other, and matmul-heavy cells ran several times slower.
"""

import importlib.util
import os
import sys
from pathlib import Path

if "WTINIT_NOTEBOOK_ENV" not in os.environ:
    _spec = importlib.util.spec_from_file_location(
        "notebook_env", Path(__file__).parent / "tools" / "notebook_env.py"
    )
    _notebook_env = importlib.util.module_from_spec(_spec)
    sys.modules["notebook_env"] = _notebook_env  # its dataclass looks itself up there
    _spec.loader.exec_module(_notebook_env)
    os.environ.clear()
    os.environ.update(_notebook_env.environment())
