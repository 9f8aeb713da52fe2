#!/usr/bin/python3
"""Peer of `alds analyze` (scheme 0, every candidate k): numpy + LAPACK SVD all-k error curves of ResNet18.

Reads the conv weights from a safetensors file (8-byte little-endian header length, JSON header, raw
little-endian data), e.g. the one `alds compress --keep 1 -o /tmp/r18.safetensors` writes (original weights).
For every 4-D weight [out, in, kh, kw] and every divisor k of in for which rank 1 is smaller than the layer
(k·kh·kw·in/k·1 + out·k < out·in·kh·kw, i.e. the same candidates as GroupCounts.Candidates), it computes the
singular values of each channel group (columns [i·n, (i+1)·n) of the [out, in·kh·kw] matrix) with
numpy.linalg.svd(compute_uv=False) in float64, and the max/rss error curves relative to sigma_1 of the layer.
Set OPENBLAS_NUM_THREADS before starting (run_sweep_comparison.sh sets 2). Prints JSON with the timing.
"""
import json
import struct
import sys
import time

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    dtypes = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "BF16": None}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dt = dtypes.get(entry["dtype"])
        if dt is None:
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=dt).reshape(entry["shape"])
    return tensors


def candidates(out, cin, kh, kw):
    params = out * cin * kh * kw
    return [k for k in range(1, cin + 1) if cin % k == 0 and cin * kh * kw + out * k < params]


def curves(w):
    out, cin, kh, kw = w.shape
    f = w.reshape(out, cin * kh * kw).astype(np.float64)
    total = f.shape[1]
    norm = np.linalg.svd(f, compute_uv=False)[0]
    result = {}
    for k in candidates(out, cin, kh, kw):
        n = total // k
        sig = np.stack([np.linalg.svd(f[:, i * n:(i + 1) * n], compute_uv=False) for i in range(k)])
        tail = sig[:, 1:]
        result[k] = (tail.max(axis=0) / norm, np.sqrt((tail ** 2).sum(axis=0)) / norm)
    return norm, result


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/r18.safetensors"
    tensors = read_safetensors(path)
    convs = [(name, t) for name, t in tensors.items() if t.ndim == 4]
    start = time.perf_counter()
    cpu0 = time.process_time()
    problems = 0
    checksum = 0.0
    for _, w in convs:
        norm, result = curves(w)
        checksum += norm
        problems += sum(result.keys())
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    print(json.dumps({"peer": "numpy.linalg.svd (compute_uv=False), float64", "layers": len(convs),
                      "svds": problems + len(convs), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                      "sum_sigma1": checksum}))


if __name__ == "__main__":
    main()
