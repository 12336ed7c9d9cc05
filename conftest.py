"""Test-session settings that must be in place before numpy or torch is imported.

`make test` runs the suite on every core through pytest-xdist workers; numpy's BLAS, torch and the
notebook kernels they start would each add a thread per core on top, and on a small machine that
oversubscription makes torch spin-wait (measured here: a notebook that trains in 30 s took 300 s).
So each worker, and every kernel it starts (kernels inherit the environment), uses one thread.
"""

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
