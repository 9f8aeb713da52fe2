#!/usr/bin/env python3
"""Independent check of REFERENCE.md's "exact max error" column (PlanReferenceTests).

Usage: exact_reference.py MODEL.safetensors KEEP [KEEP ...]  -> JSON {"layers", "params", "max_rel_error": {keep: e}}

Written from DESIGN.md section 1 only (numpy, no engine code): every 4-D tensor with in > 1 is a conv; scheme 0;
group i of k is the input-channel chunk, folded out x (in/k*kh*kw); e(k, j) = max_i s_{j+1}(G_i) / s_1(W folded);
params(k, j) = j*(k*out + in*kh*kw), an option only when smaller than the layer; keeping a layer costs its size at
error 0. The minimax under floor(keep * total) is the smallest threshold t whose cheapest per-layer choices fit.
"""
import json
import math
import struct
import sys

import numpy as np


def convs(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    types = {"F32": np.float32, "F64": np.float64, "F16": np.float16}
    for name in sorted(header):
        h = header[name]
        if len(h["shape"]) != 4 or h["shape"][1] <= 1 or h["dtype"] not in types:
            continue
        b, e = h["data_offsets"]
        yield name, np.frombuffer(data[b:e], dtype=types[h["dtype"]]).astype(np.float64).reshape(h["shape"])


def options(w):
    o, i, kh, kw = w.shape
    size = o * i * kh * kw
    norm = np.linalg.svd(w.reshape(o, -1), compute_uv=False)[0]
    opts = [(size, 0.0)]
    for k in (d for d in range(1, i + 1) if i % d == 0):
        per = i // k
        sv = [np.linalg.svd(w[:, g * per:(g + 1) * per].reshape(o, -1), compute_uv=False) for g in range(k)]
        r = min(o, per * kh * kw)
        for j in range(1, r + 1):
            p = j * (k * o + i * kh * kw)
            if p >= size:
                break
            e = max((s[j] if j < len(s) else 0.0) for s in sv) / norm
            opts.append((p, e))
    return size, opts


def main():
    path, keeps = sys.argv[1], [float(x) for x in sys.argv[2:]]
    layers = [options(w) for _, w in convs(path)]
    total = sum(size for size, _ in layers)
    thresholds = sorted({e for _, opts in layers for _, e in opts})

    def cheapest(t):
        return sum(min(p for p, e in opts if e <= t) for _, opts in layers)

    result = {}
    for keep in keeps:
        budget = math.floor(keep * total)
        lo, hi = 0, len(thresholds) - 1  # cheapest(thresholds[-1]) is the least reachable total
        if cheapest(thresholds[hi]) > budget:
            result[repr(keep)] = None
            continue
        while lo < hi:
            mid = (lo + hi) // 2
            if cheapest(thresholds[mid]) <= budget:
                hi = mid
            else:
                lo = mid + 1
        result[repr(keep)] = thresholds[lo]
    print(json.dumps({"layers": len(layers), "params": total, "max_rel_error": result}))


if __name__ == "__main__":
    main()
