#!/usr/bin/env python3
"""Peer for `alds bench factor`: numpy's Gram route to a rank-j factorisation of one matrix.

  factor_numpy.py MATRIX.npy RANK REPEAT
Gram of the smaller side (float64), `eigh` with vectors, the other factor by one GEMM — the route the issue names.
Prints one JSON object: median seconds, the stage times of the last run, σ_{j+1}/σ_1 and the numpy/BLAS build.
"""
import json, sys, time
import numpy as np

def main():
    g = np.load(sys.argv[1]).astype(np.float64)
    j, repeat = int(sys.argv[2]), int(sys.argv[3])
    m, n = g.shape
    times, stages = [], {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        c = g @ g.T if m <= n else g.T @ g
        t1 = time.perf_counter()
        w, v = np.linalg.eigh(c)
        t2 = time.perf_counter()
        top = np.ascontiguousarray(v[:, ::-1][:, :j])
        other = top.T @ g if m <= n else g @ top
        t3 = time.perf_counter()
        times.append(t3 - t0)
        stages = {"gram_s": t1 - t0, "eigh_s": t2 - t1, "gemm_s": t3 - t2}
    w = np.sort(np.maximum(w, 0))[::-1]
    rel = float(np.sqrt(w[j] / w[0])) if j < len(w) else 0.0
    print(json.dumps({"median_s": float(np.median(times)), "stages": stages, "next_over_first": rel,
                      "numpy": np.__version__}))

if __name__ == "__main__":
    main()
