#!/usr/bin/env python3
"""PyTorch peer for the ALDS GPU sweep, and the results table.

Reads shapes.tsv written by `Alds.GpuSweep sweep` (one line per layer, scheme and group count),
folds the same channel groups (DESIGN section 1) of a seeded float64 weight on the GPU, and times
  svdvals : torch.linalg.svdvals on the batch of groups
  eigvalsh: the Gram of the smaller side (torch.bmm) then torch.linalg.eigvalsh (what ALDS does)
per layer (all its schemes and group counts together, like one AnalyzeLayer call). Weights differ
from the C# run (different generators): this is a timing peer; correctness is checked by the
self-test against a managed reference. Writes peer.tsv and, with --alds, the table gpu-<card>.md.

Usage: python3 bench/gpu/peer.py --shapes OUT/shapes.tsv --out OUT [--alds OUT/alds-gpu.tsv] [--max-seconds 180]
"""
import argparse
import collections
import csv
import os
import re
import sys
import time


def fold(w, scheme, k):
    """Channel-group folds of w [out, in, kh, kw] as a batch [k, m, n]."""
    o, i, kh, kw = w.shape
    c = i // k
    wg = w.reshape(o, k, c, kh, kw).permute(1, 0, 2, 3, 4)  # [k, out, c, kh, kw]
    if scheme == 0:
        return wg.reshape(k, o, c * kh * kw)
    if scheme == 1:
        return wg.permute(0, 1, 3, 4, 2).reshape(k, o * kh, kw * c)
    if scheme == 2:
        return wg.permute(0, 1, 4, 3, 2).reshape(k, o * kw, kh * c)
    return wg.permute(0, 1, 3, 4, 2).reshape(k, o * kh * kw, c)


def read_shapes(path):
    layers = collections.OrderedDict()
    with open(path) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["model"], row["layer"])
            if key not in layers:
                layers[key] = {"shape": tuple(int(row[x]) for x in ("out", "in", "kh", "kw")), "options": []}
            layers[key]["options"].append((int(row["scheme"]), int(row["groups"])))
    return layers


def time_layer(torch, w, options, method):
    torch.cuda.synchronize()
    start = time.perf_counter()
    for scheme, k in options:
        g = fold(w, scheme, k)
        if method == "svdvals":
            s = torch.linalg.svdvals(g)
        else:
            m, n = g.shape[1], g.shape[2]
            gram = torch.bmm(g, g.transpose(1, 2)) if m <= n else torch.bmm(g.transpose(1, 2), g)
            s = torch.linalg.eigvalsh(gram).clamp_min(0).sqrt().flip(-1)
        _ = s[:, 1:].amax(dim=0)  # the error curve's reduction, as ALDS does
    torch.cuda.synchronize()
    return (time.perf_counter() - start) * 1000.0


def slug(name):
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--alds", default="")
    ap.add_argument("--max-seconds", type=float, default=180.0)
    args = ap.parse_args()

    import torch

    if not torch.cuda.is_available():
        print("peer.py: no CUDA device for PyTorch", file=sys.stderr)
        return 3
    card = torch.cuda.get_device_name(0)
    dev = torch.device("cuda")
    layers = read_shapes(args.shapes)
    print(f"peer: torch {torch.__version__} on {card}, {len(layers)} layers")

    warm = torch.randn(4, 64, 64, dtype=torch.float64, device=dev)
    torch.linalg.svdvals(warm)
    torch.linalg.eigvalsh(warm @ warm.transpose(1, 2))
    torch.cuda.synchronize()

    deadline = time.perf_counter() + args.max_seconds
    rows = []
    for idx, ((model, layer), spec) in enumerate(layers.items()):
        o, i, kh, kw = spec["shape"]
        gen = torch.Generator(device=dev).manual_seed(1000 + idx)
        w = torch.randn(o, i, kh, kw, dtype=torch.float64, device=dev, generator=gen) / (i * kh * kw) ** 0.5
        result = {"model": model, "layer": layer, "shape": f"{o}x{i}x{kh}x{kw}", "options": len(spec["options"])}
        for method in ("eigvalsh", "svdvals"):
            if time.perf_counter() > deadline:
                result[method] = ""
                continue
            try:
                result[method] = f"{time_layer(torch, w, spec['options'], method):.1f}"
            except RuntimeError as e:  # e.g. out of memory on one huge batch
                result[method] = ""
                print(f"peer: {layer} {method}: {str(e).splitlines()[0]}", file=sys.stderr)
        rows.append(result)
        print(f"{model:10} {layer:40} {result['shape']:16} eigvalsh {result['eigvalsh']:>9} ms  svdvals {result['svdvals']:>9} ms")
        del w
        torch.cuda.empty_cache()

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "peer.tsv"), "w") as f:
        f.write("model\tlayer\tshape\toptions\ttorch_eigvalsh_ms\ttorch_svdvals_ms\n")
        for r in rows:
            f.write(f"{r['model']}\t{r['layer']}\t{r['shape']}\t{r['options']}\t{r['eigvalsh']}\t{r['svdvals']}\n")

    if args.alds and os.path.exists(args.alds):
        alds = {}
        with open(args.alds) as f:
            for row in csv.DictReader(f, delimiter="\t"):
                alds[(row["model"], row["layer"])] = float(row["ms"])
        totals = collections.OrderedDict()
        for r in rows:
            t = totals.setdefault(r["model"], {"layers": 0, "alds": 0.0, "eigvalsh": 0.0, "svdvals": 0.0, "complete": True})
            t["layers"] += 1
            t["alds"] += alds.get((r["model"], r["layer"]), float("nan"))
            for m in ("eigvalsh", "svdvals"):
                if r[m] == "":
                    t["complete"] = False
                else:
                    t[m] += float(r[m])
        path = os.path.join(args.out, f"gpu-{slug(card)}.md")
        with open(path, "w") as f:
            f.write(f"# ALDS spectral sweep on {card}\n\n")
            f.write(f"torch {torch.__version__}; float64; per layer all schemes (conv: 0-3, linear: 0) and k in powers of two <= 64 dividing in.\n")
            f.write("Times are wall-clock ms per model (sum over its layers), GPU-synchronised; one run after a warm-up.\n\n")
            f.write("| model | layers | ALDS GPU (C#, cuBLAS+cuSOLVER) | torch bmm+eigvalsh | torch svdvals |\n|---|---|---|---|---|\n")
            for model, t in totals.items():
                mark = "" if t["complete"] else " (partial: time limit)"
                f.write(f"| {model} | {t['layers']} | {t['alds']:.0f} | {t['eigvalsh']:.0f}{mark} | {t['svdvals']:.0f}{mark} |\n")
            f.write("\n| model | layer | shape | options | ALDS ms | torch eigvalsh ms | torch svdvals ms |\n|---|---|---|---|---|---|---|\n")
            for r in rows:
                a = alds.get((r["model"], r["layer"]))
                f.write(f"| {r['model']} | {r['layer']} | {r['shape']} | {r['options']} | "
                        f"{'' if a is None else f'{a:.1f}'} | {r['eigvalsh']} | {r['svdvals']} |\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
