#!/usr/bin/python3
"""Writes a synthetic ~2 GB safetensors checkpoint for the large-model benchmark (bench/README.md).

Big pass-through tensors (an F32 embedding and a 3-D F32 table, which ALDS never compresses) plus many
small compressible layers (Linear [512, 512] and Conv [64, 64, 3, 3], F32, with biases and norms), so that
`alds compress` is dominated by I/O and its memory by what it keeps resident.

    make_checkpoint.py OUT_DIR [--scale 1.0] [--shard-mb 500]

writes OUT_DIR/model.safetensors and the same tensors as a Hugging Face sharded checkpoint in
OUT_DIR/sharded/ (model-0000i-of-0000N.safetensors + model.safetensors.index.json). Tensors are streamed
in chunks, so this script needs little memory. Deterministic (seeded).
"""
import argparse
import json
import os
import struct

import numpy as np

CHUNK = 1 << 24  # elements per write


def tensors(scale):
    """(name, shape, generator seed); F32 throughout."""
    out = [("model.embed_tokens.weight", (int(160_000 * scale), 1024), 1),
           ("model.rel_pos.table", (int(72 * scale), 4096, 1024), 2)]
    for i in range(int(64 * scale)):
        out.append((f"model.layers.{i:03d}.mlp.weight", (512, 512), 100 + i))
        out.append((f"model.layers.{i:03d}.mlp.bias", (512,), 300 + i))
        out.append((f"model.layers.{i:03d}.conv.weight", (64, 64, 3, 3), 500 + i))
        out.append((f"model.layers.{i:03d}.norm.weight", (512,), 700 + i))
    return out


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def write_data(f, shape, seed):
    rng = np.random.default_rng(seed)
    n = count(shape)
    if len(shape) == 2 and shape[0] == shape[1] or len(shape) == 4:
        # A compressible layer: decaying spectrum, so that low rank is a fair approximation.
        rows = shape[0]
        cols = n // rows
        u = rng.standard_normal((rows, 32), dtype=np.float32)
        v = rng.standard_normal((32, cols), dtype=np.float32)
        w = u @ v / 32 + 0.05 * rng.standard_normal((rows, cols), dtype=np.float32)
        f.write(w.astype("<f4").tobytes())
        return
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        f.write(rng.standard_normal(m, dtype=np.float32).astype("<f4").tobytes())


def write_file(path, items):
    header, offset = {}, 0
    for name, shape, _ in items:
        size = count(shape) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, shape, seed in items:
            write_data(f, shape, seed)
    os.replace(path + ".tmp", path)
    return offset


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--shard-mb", type=int, default=500)
    args = p.parse_args()
    items = tensors(args.scale)
    os.makedirs(args.out, exist_ok=True)
    total = write_file(os.path.join(args.out, "model.safetensors"), items)

    shards, current, size = [], [], 0
    for item in items:
        nbytes = count(item[1]) * 4
        if current and size + nbytes > args.shard_mb << 20:
            shards.append(current)
            current, size = [], 0
        current.append(item)
        size += nbytes
    shards.append(current)
    directory = os.path.join(args.out, "sharded")
    os.makedirs(directory, exist_ok=True)
    weight_map = {}
    for i, shard in enumerate(shards):
        name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_file(os.path.join(directory, name), shard)
        weight_map.update({t[0]: name for t in shard})
    with open(os.path.join(directory, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
    print(f"{args.out}: {total / 1e9:.2f} GB, {len(items)} tensors, {len(shards)} shards")


if __name__ == "__main__":
    main()
