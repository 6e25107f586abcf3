"""Settings for every pytest run at the root (unit tests and nbval on the chapters).

pytest-xdist runs one worker per core (`-n auto`), and each notebook's kernel is a child of its
worker. With OpenBLAS's default of one thread per core on top, two workers on two cores start
four BLAS threads that spin while they wait for each other: measured here, matmul-heavy cells ran
several times slower. One BLAS thread per process keeps the cores busy without that contention.
Results do not depend on it (each output element is summed in the same order either way), and
`make notebooks` executes with the same setting. A value you set yourself is kept.
"""

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
