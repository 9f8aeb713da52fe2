#!/usr/bin/env python3
"""Markdown rows of docs/results-text.md's data-aware section from the raw plans and evaluations.

Usage: calibration_text_collect.py RAW_DIR [DATA_FREE_RAW_DIR]
Data-aware runs are RAW_DIR/<stem>.plan.json + .eval.json (stem cal<N>_<optimizer>[-<variant>]_k<keep> or free_exact_k<keep>);
the data-free rows (exact, k1, uniform) come from DATA_FREE_RAW_DIR (docs/results-text/raw: the same evaluation texts).
"""
import glob, json, os, re, sys

raw = sys.argv[1]
free_raw = sys.argv[2] if len(sys.argv) > 2 else None

def row(label, keep, plan_path, eval_path):
    p = json.load(open(plan_path)); e = json.load(open(eval_path))
    layers = [l for l in p["layers"] if l["compressed"]]
    largest_k = max((l["groups"] for l in layers), default=0)
    measured = max((l.get("rel_error_measured", 0) for l in layers), default=0)
    white = [l["rel_error_measured_whitened"] for l in layers if "rel_error_measured_whitened" in l]
    white_s = f"{max(white):.3f}" if white else "—"
    return (float(keep), f"| {keep} | {label} | {len(layers)} ({largest_k}) | {p['max_rel_error']:.4f} | {measured:.3f} | {white_s} | "
            f"**{e['cosine']:.3f}** | {e['cosine_min']:.3f} | {e['rel_output_error']:.3f} | {e['nn_agreement']:.3f} |")

rows = []
if free_raw:
    for opt in ("exact", "k1", "uniform"):
        for path in glob.glob(os.path.join(free_raw, f"{opt}_k*.plan.json")):
            keep = re.search(r"_k([0-9.]+)\.plan\.json$", path).group(1)
            rows.append(row(f"data-free {opt}", keep, path, path.replace(".plan.json", ".eval.json")))
for path in sorted(glob.glob(os.path.join(raw, "*.plan.json"))):
    stem = os.path.basename(path)[:-len(".plan.json")]
    m = re.fullmatch(r"(cal(\d+)|free)_([a-z0-9]+)(?:-([a-z0-9-]+))?_k([0-9.]+)", stem)
    if not m or not os.path.exists(os.path.join(raw, stem + ".eval.json")):
        continue
    kind, n, opt, variant, keep = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    label = (f"data-free {opt} (this build)" if kind == "free"
             else f"data-aware {opt}" + (f", {variant}" if variant else "") + f" ({n} texts)")
    rows.append(row(label, keep, path, os.path.join(raw, stem + ".eval.json")))
print("| keep | allocation | layers compressed (largest k) | planned max error | measured max residual (plain) | measured max residual (whitened) | cosine mean | cosine worst | rel. output error | NN agreement |")
print("|---|---|---|---|---|---|---|---|---|---|")
ORDER = ["data-free exact |", "data-free k1", "data-free uniform", "data-free exact (this build)", "data-aware exact (256", "data-aware k1 (256",
         "data-aware uniform (256", "data-aware exact, rss", "data-aware exact, freealloc", "data-aware exact, frobenius",
         "data-aware exact, centred", "data-aware k1, centred", "data-aware exact (64", "data-aware exact (1024"]
def rank(r):
    return next((i for i, key in enumerate(ORDER) if key in r), len(ORDER))
for _, r in sorted(rows, key=lambda t: (-t[0], rank(t[1]))):
    print(r)
