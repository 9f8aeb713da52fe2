#!/usr/bin/env python3
"""Independent transcription of RandomCrops (SplitMix64 seeded by seed ^ FNV-1a(name)), for RandomCropsTests.

Usage: random_crops.py WIDTH HEIGHT COUNT SEED NAME  -> one "x y size" line per crop.
The name is hashed over its UTF-16 code units, as the C# string loop does.
"""
import math
import sys

MASK = (1 << 64) - 1


def fnv1a(name):
    h = 0xCBF29CE484222325
    data = name.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x100000001B3) & MASK
    return h


def crops(width, height, count, seed, name):
    state = (seed ^ fnv1a(name)) & MASK

    def uniform():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        return (z >> 11) / float(1 << 53)

    shorter = min(width, height)
    min_side = max(1, math.ceil(0.5 * shorter))
    out = []
    for _ in range(count):
        size = min_side + int(uniform() * (shorter - min_side + 1))
        x = int(uniform() * (width - size + 1))
        y = int(uniform() * (height - size + 1))
        out.append((x, y, size))
    return out


if __name__ == "__main__":
    w, h, n, seed, name = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    for x, y, s in crops(w, h, n, seed, name):
        print(x, y, s)
