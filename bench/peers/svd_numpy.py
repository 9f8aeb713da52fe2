#!/usr/bin/env python3
"""Peer of `alds bench svd`: median time of numpy.linalg.svd(A, compute_uv=False) on seeded random matrices.

usage: svd_numpy.py REPEAT MxN [MxN ...]   prints one JSON object on stdout.
Thread count: whatever OPENBLAS_NUM_THREADS says (the C# bench sets 1 for a like-for-like comparison).
"""
import json
import sys
import time

import numpy as np


def main():
    repeat = int(sys.argv[1])
    rng = np.random.default_rng(42)
    rows = []
    for shape in sys.argv[2:]:
        m, n = (int(x) for x in shape.split("x"))
        a = rng.random((m, n)) - 0.5
        np.linalg.svd(a, compute_uv=False)  # warm-up
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            np.linalg.svd(a, compute_uv=False)
            times.append(time.perf_counter() - t)
        rows.append({"m": m, "n": n, "ms": float(np.median(times)) * 1e3})
    json.dump({"numpy": np.__version__, "shapes": rows}, sys.stdout)


if __name__ == "__main__":
    main()
