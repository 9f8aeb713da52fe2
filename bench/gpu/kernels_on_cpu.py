#!/usr/bin/env python3
"""CPU check of kernels/*.cu without a GPU.

Compiles the CUDA C sources as C++ with a one-thread shim (g++), then replays the sweep exactly as
src/Engine/Gpu/GpuSpectralBackend.cs drives it (column-major folds, the same cuBLAS Gram calls
emulated in numpy, ascending eigenvalues as cuSOLVER returns them) and compares the error curves
and the folds with an independent numpy reference (permute + reshape from DESIGN section 1, SVD).

Usage: /usr/bin/python3 bench/gpu/kernels_on_cpu.py   (needs g++ and numpy; exit 1 on mismatch)
"""
import ctypes
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIM = r"""
#include <cmath>
struct Dim3 { unsigned x, y, z; };
static const Dim3 blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
#define __global__
#define __restrict__
using std::sqrt;
#include "fold.cu"
#include "spectrum.cu"
"""


def build():
    tmp = tempfile.mkdtemp(prefix="alds-kernels-")
    src = os.path.join(tmp, "shim.cpp")
    with open(src, "w") as f:
        f.write(SHIM)
    lib = os.path.join(tmp, "kernels.so")
    subprocess.run(["g++", "-O1", "-shared", "-fPIC", "-I", os.path.join(ROOT, "kernels"), src, "-o", lib], check=True)
    return ctypes.CDLL(lib)


def ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


def group_shape(o, i, kh, kw, s, k):
    c = i // k
    return {0: (o, c * kh * kw), 1: (o * kh, kw * c), 2: (o * kw, kh * c), 3: (o * kh * kw, c)}[s]


def reference_group(w, s, k, g):
    o, i, kh, kw = w.shape
    c = i // k
    wg = w[:, g * c:(g + 1) * c]
    if s == 0:
        return wg.reshape(o, c * kh * kw)
    if s == 1:
        return wg.transpose(0, 2, 3, 1).reshape(o * kh, kw * c)
    if s == 2:
        return wg.transpose(0, 3, 2, 1).reshape(o * kw, kh * c)
    return wg.transpose(0, 2, 3, 1).reshape(o * kh * kw, c)


def fold(lib, w, s, k, transpose):
    o, i, kh, kw = w.shape
    m, n = group_shape(o, i, kh, kw, s, k)
    out = np.full(m * n * k, np.nan)
    lib.fold_groups(ptr(w), ptr(out), o, i, kh, kw, s, k, int(transpose))
    return out, m, n


def curves_as_backend(lib, w, s, k):
    out, m, n = fold(lib, w, s, k, False)
    p = min(m, n)
    lam = np.empty(p * k)
    for g in range(k):
        G = out[g * m * n:(g + 1) * m * n].reshape(n, m).T  # column-major m x n, ld = m
        gram = G @ G.T if m <= n else G.T @ G               # the cuBLAS calls of GpuSpectralBackend.Gram
        lam[g * p:(g + 1) * p] = np.linalg.eigvalsh(gram)    # ascending, like cuSOLVER
    sigma = np.empty(p * k)
    lib.eig_to_sigma_desc(ptr(lam), ptr(sigma), p, k)
    emax, erss = np.empty(p), np.empty(p)
    lib.group_errors(ptr(sigma), ptr(emax), ptr(erss), p, k)
    return sigma, emax, erss


def main():
    lib = build()
    for f in (lib.fold_groups, lib.eig_to_sigma_desc, lib.group_errors):
        f.restype = None
    lib.fold_groups.argtypes = [ctypes.c_void_p, ctypes.c_void_p] + [ctypes.c_int] * 7
    lib.eig_to_sigma_desc.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.group_errors.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_int, ctypes.c_int]

    rng = np.random.default_rng(7)
    worst_fold, worst_curve, cases = 0.0, 0.0, 0
    for shape in [(8, 12, 3, 3), (6, 8, 3, 5), (5, 4, 1, 2), (16, 6, 1, 1), (3, 10, 7, 1)]:
        w = np.ascontiguousarray(rng.standard_normal(shape))
        for s in range(4):
            norm = np.linalg.svd(reference_group(w, s, 1, 0), compute_uv=False)[0]
            for k in [d for d in range(1, shape[1] + 1) if shape[1] % d == 0]:
                cases += 1
                for transpose in (False, True):
                    out, m, n = fold(lib, w, s, k, transpose)
                    for g in range(k):
                        block = out[g * m * n:(g + 1) * m * n]
                        G = block.reshape(m, n) if transpose else block.reshape(n, m).T
                        worst_fold = max(worst_fold, np.abs(G - reference_group(w, s, k, g)).max())
                sigma, emax, erss = curves_as_backend(lib, w, s, k)
                svs = np.array([np.linalg.svd(reference_group(w, s, k, g), compute_uv=False) for g in range(k)])
                p = svs.shape[1]
                tail = np.concatenate([svs[:, 1:], np.zeros((k, 1))], axis=1)
                ref_max, ref_rss = tail.max(axis=0) / norm, np.sqrt((tail ** 2).sum(axis=0)) / norm
                worst_curve = max(worst_curve, np.abs(emax / norm - ref_max).max(),
                                  np.abs(erss / norm - ref_rss).max())
                assert emax[-1] == 0 and erss[-1] == 0 and len(emax) == p
    print(f"{cases} (shape, scheme, k) cases: max fold error {worst_fold:.1e}, max curve error {worst_curve:.2e}")
    ok = worst_fold == 0.0 and worst_curve < 1e-6
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
