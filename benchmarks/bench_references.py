"""How fast are the course_lib references compared with PyTorch on the CPU?

Runs every case twice in fresh processes: once with one thread for both libraries (numpy's BLAS and
torch), once with their default threads, and prints the time ratio course_lib / torch for each case
(1.0 = as fast as PyTorch; lower is better). Times are the best of several repeats.

    python benchmarks/bench_references.py            # both thread settings
    python benchmarks/bench_references.py --quick    # fewer repeats
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import timeit

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def cases():
    """(name, course_lib call, torch call) for representative sizes, float32."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    import course_lib as cl

    rng = np.random.default_rng(0)

    def pair(*shape):
        array = rng.standard_normal(shape).astype(np.float32)
        return array, torch.from_numpy(array)

    x, tx = pair(8, 16, 64, 64)
    w, tw = pair(32, 16, 3, 3)
    b, tb = pair(32)
    yield ("conv2d 8x16x64x64 * 32x16x3x3, pad 1",
           lambda: cl.conv2d(x, w, b, padding=1), lambda: F.conv2d(tx, tw, tb, padding=1))
    yield ("conv2d same, stride 2, 8x16x64x64 * 32x16x3x3",
           lambda: cl.conv2d(x, w, b, stride=2, padding=1), lambda: F.conv2d(tx, tw, tb, stride=2, padding=1))
    xt, txt = pair(8, 32, 32, 32)
    wt, twt = pair(32, 16, 4, 4)
    yield ("conv_transpose2d 8x32x32x32 -> 16, 4x4, stride 2, pad 1",
           lambda: cl.conv_transpose2d(xt, wt, stride=2, padding=1),
           lambda: F.conv_transpose2d(txt, twt, stride=2, padding=1))
    xp, txp = pair(8, 32, 64, 64)
    yield ("max_pool2d 8x32x64x64, 2x2",
           lambda: cl.max_pool2d(xp, 2), lambda: F.max_pool2d(txp, 2))
    yield ("max_pool2d 8x32x64x64, 3x3 stride 2 pad 1, indices",
           lambda: cl.max_pool2d(xp, 3, 2, 1, return_indices=True),
           lambda: F.max_pool2d(txp, 3, 2, 1, return_indices=True))
    yield ("avg_pool2d 8x32x64x64, 2x2",
           lambda: cl.avg_pool2d(xp, 2), lambda: F.avg_pool2d(txp, 2))
    yield ("upsample_bilinear 8x16x64x64, x2",
           lambda: cl.upsample_bilinear(x, scale_factor=2),
           lambda: F.interpolate(tx, scale_factor=2, mode="bilinear", align_corners=False))
    yield ("upsample_nearest 8x16x64x64, x2",
           lambda: cl.upsample_nearest(x, 2), lambda: F.interpolate(tx, scale_factor=2, mode="nearest"))


def best_time(function, repeats: int) -> float:
    function()  # warm up (allocations, lazy initialisation)
    number = max(1, int(0.05 / max(timeit.timeit(function, number=1), 1e-6)))
    return min(timeit.repeat(function, number=number, repeat=repeats)) / number


def measure(repeats: int) -> list[dict]:
    import torch
    threads = os.environ.get("OMP_NUM_THREADS")
    if threads:
        torch.set_num_threads(int(threads))
    rows = []
    for name, ours, theirs in cases():
        ours_seconds, torch_seconds = best_time(ours, repeats), best_time(theirs, repeats)
        rows.append({"case": name, "course_lib_ms": ours_seconds * 1e3, "torch_ms": torch_seconds * 1e3,
                     "ratio": ours_seconds / torch_seconds})
    return rows


def run_in_subprocess(threads: int | None, repeats: int) -> list[dict]:
    environment = dict(os.environ)
    for variable in THREAD_VARIABLES:
        environment.pop(variable, None)
        if threads:
            environment[variable] = str(threads)
    output = subprocess.run([sys.executable, __file__, "--measure", "--repeats", str(repeats)],
                            env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)
    if args.measure:
        print(json.dumps(measure(repeats)))
        return
    settings = {"1 thread": run_in_subprocess(1, repeats), f"default ({os.cpu_count()} cores)": run_in_subprocess(None, repeats)}
    width = max(len(row["case"]) for rows in settings.values() for row in rows)
    for setting, rows in settings.items():
        print(f"\n{setting}: time ratio course_lib / torch (lower is better)")
        print(f"{'case':<{width}}  {'course_lib':>11}  {'torch':>9}  {'ratio':>6}")
        for row in rows:
            print(f"{row['case']:<{width}}  {row['course_lib_ms']:>8.2f} ms  {row['torch_ms']:>6.2f} ms  {row['ratio']:>6.2f}")


if __name__ == "__main__":
    main()
