#!/usr/bin/env python3
"""Peers for the large-shape figures of bench/README.md (issue 12): the time to get the singular values (k = 1) of
every matrix of a checkpoint's layers, by numpy (Gram in float64 + eigvalsh, OpenBLAS) and by torch.linalg.svdvals
(float32), on seeded matrices of the given shapes.

  block_spectra_peers.py [--device cpu|cuda] OUTxIN [OUTxIN ...]
--device cuda (the device machine, bench/gpu/device-large.sh) adds torch on the GPU: Gram in float64 + eigvalsh (the
route of Alds's GPU sweep) and svdvals in float32, each synchronised; the numpy and CPU torch figures stay.
Prints one JSON object: per-route seconds summed over the shapes.
"""
import argparse, json, time
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("shapes", nargs="+")
    args = parser.parse_args()
    shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes]
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
    except ImportError:
        out["torch_svdvals_s"] = None
        print(json.dumps(out))
        return
    torch_s = 0.0
    for g in mats:
        x = torch.from_numpy(g)
        t = time.perf_counter()
        torch.linalg.svdvals(x)
        torch_s += time.perf_counter() - t
    out["torch_svdvals_s"] = torch_s
    out["torch"] = torch.__version__
    out["torch_threads"] = torch.get_num_threads()
    if args.device == "cuda":
        out["cuda_device"] = torch.cuda.get_device_name(0)
        warm = torch.ones((64, 64), dtype=torch.float64, device="cuda")
        torch.linalg.eigvalsh(warm @ warm.T)  # cuSOLVER/cuBLAS initialisation is not the peer's work
        torch.cuda.synchronize()
        gram_s = svdvals_s = 0.0
        for g in mats:
            x = torch.from_numpy(g).to("cuda")
            torch.cuda.synchronize()
            t = time.perf_counter()
            x64 = x.double()
            c = x64 @ x64.T if x.shape[0] <= x.shape[1] else x64.T @ x64
            torch.linalg.eigvalsh(c)
            torch.cuda.synchronize()
            gram_s += time.perf_counter() - t
            t = time.perf_counter()
            torch.linalg.svdvals(x)
            torch.cuda.synchronize()
            svdvals_s += time.perf_counter() - t
        out["torch_cuda_gram_eigvalsh_s"] = gram_s
        out["torch_cuda_svdvals_s"] = svdvals_s
    print(json.dumps(out))


if __name__ == "__main__":
    main()
