#!/usr/bin/env python3
"""Peers for the large-shape figures of bench/README.md (issue 12): the time to get the singular values (k = 1) of
every matrix of a checkpoint's layers, by numpy (Gram in float64 + eigvalsh, OpenBLAS) and by torch.linalg.svdvals
(float32, Debian's torch), on seeded matrices of the given shapes.

  block_spectra_peers.py OUTxIN [OUTxIN ...]
Prints one JSON object: per-route seconds summed over the shapes.
"""
import json, sys, time
import numpy as np

def main():
    shapes = [tuple(int(x) for x in s.split("x")) for s in sys.argv[1:]]
    rng = np.random.default_rng(0)
    out = {"shapes": [list(s) for s in shapes], "numpy": np.__version__}
    numpy_s = 0.0
    mats = []
    for m, n in shapes:
        g = rng.standard_normal((m, n), dtype=np.float32)
        mats.append(g)
        t = time.perf_counter()
        g64 = g.astype(np.float64)
        c = g64 @ g64.T if m <= n else g64.T @ g64
        np.linalg.eigvalsh(c)
        numpy_s += time.perf_counter() - t
    out["numpy_gram_eigvalsh_s"] = numpy_s
    try:
        import torch
        torch_s = 0.0
        for g in mats:
            x = torch.from_numpy(g)
            t = time.perf_counter()
            torch.linalg.svdvals(x)
            torch_s += time.perf_counter() - t
        out["torch_svdvals_s"] = torch_s
        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
    except ImportError:
        out["torch_svdvals_s"] = None
    print(json.dumps(out))

if __name__ == "__main__":
    main()
