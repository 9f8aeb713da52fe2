#!/usr/bin/env python3
"""Peer of `alds bench sweep`: the ALDS error curves of every layer (scheme 0, every candidate k) with numpy.

usage: sweep_numpy.py INDEX.json WEIGHTS.f64 CURVES.f64 [svd|gram]
INDEX.json: {"layers": [{"name", "out", "in", "kh", "kw", "offset", "ks": [...]}, ...]}; WEIGHTS.f64 holds each
layer's canonical [out, in, kh, kw] float64 weight (little-endian) at element `offset`.
For each layer and k (in index order) writes ErrorsMax then ErrorsRss (min(m, n) float64 each) to CURVES.f64:
  max[j-1] = max_i s_{j+1}(G_i) / s_1(W),  rss[j-1] = sqrt(sum_i s_{j+1}(G_i)^2) / s_1(W),  last entry 0,
with G_i = W[:, i*in/k:(i+1)*in/k].reshape(out, -1). Route `svd` (default): singular values by batched
np.linalg.svd(compute_uv=False). Route `gram`: numpy's fastest route to the same values, the smaller Gram of each group
(G Gᵀ or Gᵀ G, float64, OpenBLAS) and np.linalg.eigvalsh, s = sqrt(max(λ, 0)) — less accurate for small values
(absolute error about sqrt(eps)·s_1), so the benchmark checks curves against the svd route.
Prints {"compute_s": seconds in numpy (excluding file reads), "numpy": version} on stdout.
"""
import json
import sys
import time

import numpy as np


def singular_values_svd(groups):
    return np.linalg.svd(groups, compute_uv=False)  # [k, min(out, n)]


def singular_values_gram(groups):
    # One group at a time as a 2-D product of a view with its own transpose: numpy hands that to BLAS syrk
    # (half the flops of a general product), which the batched matmul does not.
    k, o, n = groups.shape
    values = np.empty((k, min(o, n)))
    for i in range(k):
        g = groups[i]
        gram = g @ g.T if o <= n else g.T @ g
        values[i] = np.linalg.eigvalsh(gram)[::-1]  # ascending -> descending
    return np.sqrt(np.maximum(values, 0.0))


def main():
    route = sys.argv[4] if len(sys.argv) > 4 else "svd"
    singular_values = {"svd": singular_values_svd, "gram": singular_values_gram}[route]
    index = json.load(open(sys.argv[1]))
    weights = np.fromfile(sys.argv[2], dtype="<f8")
    compute = 0.0
    with open(sys.argv[3], "wb") as out:
        for layer in index["layers"]:
            o, i, kh, kw = layer["out"], layer["in"], layer["kh"], layer["kw"]
            w = weights[layer["offset"]:layer["offset"] + o * i * kh * kw].reshape(o, i * kh * kw)
            t = time.perf_counter()
            spectra = {}
            for k in sorted(set(layer["ks"]) | {1}):
                groups = w.reshape(o, k, (i // k) * kh * kw).transpose(1, 0, 2)  # [k, out, n]
                spectra[k] = singular_values(groups)  # [k, min(out, n)]
            norm = spectra[1][0, 0]
            curves = []
            for k in layer["ks"]:
                s = spectra[k]
                r = s.shape[1]
                mx, rss = np.zeros(r), np.zeros(r)
                if norm > 0:
                    mx[:-1] = s[:, 1:].max(axis=0) / norm
                    rss[:-1] = np.sqrt((s[:, 1:] ** 2).sum(axis=0)) / norm
                curves += [mx, rss]
            compute += time.perf_counter() - t
            for c in curves:
                out.write(c.astype("<f8").tobytes())
    json.dump({"compute_s": compute, "numpy": np.__version__, "route": route}, sys.stdout)


if __name__ == "__main__":
    main()
