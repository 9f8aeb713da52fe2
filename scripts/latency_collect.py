#!/usr/bin/env python3
"""Collects scripts/experiment-latency.sh's raw JSON into OUT/latency-budgets.csv, OUT/table.md and OUT/fronts.png.

Predicted latency of every plan (not only the latency-budget ones) comes from the cached latency table, with the
planner's rule (docs/results.md): a layer kept whole costs its measured time; factorised as (s, k, j), linear
interpolation in j between the measured ranks of its (s, k) of the same class (aligned: j a multiple of the table's
NCHWc block; unaligned otherwise), the nearest measured rank's time beyond them; plus the rest of the graph.
usage: latency_collect.py OUT
"""
import csv
import glob
import json
import os
import sys


def interpolate(points, rank, block):
    aligned = lambda r: block <= 1 or r % block == 0
    same = sorted((p["rank"], p["nanoseconds"]) for p in points if aligned(p["rank"]) == aligned(rank))
    if not same:
        return None
    below = [p for p in same if p[0] <= rank]
    above = [p for p in same if p[0] >= rank]
    if not below:
        return above[0][1]
    if not above:
        return below[-1][1]
    (r0, t0), (r1, t1) = below[-1], above[0]
    return t0 if r1 == r0 else t0 + (rank - r0) / (r1 - r0) * (t1 - t0)


def predicted_ms(table, plan):
    layers = {l["name"]: l for l in table["layers"]}
    total = table["rest_nanoseconds"]
    for layer in plan["layers"]:
        entry = layers[layer["name"]]
        if not layer["compressed"]:
            total += entry["whole_nanoseconds"]
            continue
        chain = next((c for c in entry["chains"] if c["scheme"] == layer["scheme"] and c["groups"] == layer["groups"]), None)
        t = interpolate(chain["points"], layer["rank"], table["block"]) if chain else None
        if t is None:
            return None
        total += t
    return total / 1e6


def main(out):
    raw = os.path.join(out, "raw")
    table = None
    for path in glob.glob(os.path.join(raw, "*.json")):
        if any(path.endswith(x) for x in (".plan.json", ".eval.json", ".macs.json", ".report.json")):
            continue
        with open(path) as f:
            doc = json.load(f)
        if isinstance(doc, dict) and "table" in doc and "method" in doc:
            table = doc["table"]
    with open(os.path.join(raw, "original.macs.json")) as f:
        macs_original = json.load(f)["total"]
    rows = []
    for plan_path in sorted(glob.glob(os.path.join(raw, "*.plan.json"))):
        stem = os.path.basename(plan_path)[: -len(".plan.json")]
        alloc, keep = stem.rsplit("_k", 1)
        needed = [plan_path] + [os.path.join(raw, stem + x) for x in (".eval.json", ".macs.json")]
        if not all(os.path.exists(p) and os.path.getsize(p) > 0 for p in needed):
            continue  # a row still running, or one that failed
        with open(plan_path) as f:
            plan = json.load(f)
        with open(os.path.join(raw, stem + ".eval.json")) as f:
            ev = json.load(f)
        with open(os.path.join(raw, stem + ".macs.json")) as f:
            macs = json.load(f)["total"]
        lat = ev["latency_ms"]
        orig, comp = lat["original"]["median_ms"] if isinstance(lat["original"], dict) else lat["original"], \
            lat["compressed"]["median_ms"] if isinstance(lat["compressed"], dict) else lat["compressed"]
        pred = predicted_ms(table, plan) if table else None
        pred_orig = (table["rest_nanoseconds"] + sum(l["whole_nanoseconds"] for l in table["layers"])) / 1e6 if table else None
        rows.append({
            "keep": float(keep), "allocation": alloc,
            "params_kept": plan["budget"]["params_after"] / plan["budget"]["params_before"],
            "macs_kept": macs / macs_original,
            "planned_max_error": plan["max_rel_error"],
            "output_error": ev["rel_output_error"]["mean"] if isinstance(ev["rel_output_error"], dict) else ev["rel_output_error"],
            "cosine": ev["cosine"]["mean"] if isinstance(ev.get("cosine"), dict) else ev.get("cosine"),
            "original_ms": orig, "compressed_ms": comp, "speedup": orig / comp,
            "predicted_ms": pred, "predicted_original_ms": pred_orig,
            "predicted_speedup": pred_orig / pred if pred else None,
        })
    order = {"params": 0, "macs": 1, "latency": 2, "uniform": 3}
    rows.sort(key=lambda r: (order.get(r["allocation"], 9), -r["keep"]))
    fields = list(rows[0].keys()) if rows else []
    with open(os.path.join(out, "latency-budgets.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    fmt = lambda v, p: "-" if v is None else f"{v:.{p}f}"
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("| allocation | keep | params kept | MACs kept | output error | cosine | original ms | compressed ms | measured speed-up | predicted speed-up | predicted / measured (compressed) |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            ratio = r["predicted_ms"] / r["compressed_ms"] if r["predicted_ms"] else None
            f.write(f"| {r['allocation']} | {r['keep']} | {fmt(r['params_kept'], 3)} | {fmt(r['macs_kept'], 3)} | **{fmt(r['output_error'], 4)}** | "
                    f"{fmt(r['cosine'], 4)} | {fmt(r['original_ms'], 1)} | {fmt(r['compressed_ms'], 1)} | **{fmt(r['speedup'], 2)}×** | "
                    f"{fmt(r['predicted_speedup'], 2)}× | {fmt(ratio, 2)} |\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no PNG", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for alloc, marker in (("params", "o"), ("macs", "s"), ("latency", "^"), ("uniform", "x")):
        pts = sorted((r["speedup"], r["output_error"], r["keep"]) for r in rows if r["allocation"] == alloc)
        if not pts:
            continue
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=f"{alloc}" if alloc == "uniform" else f"exact, --budget {alloc}")
        for s, e, k in pts:
            ax.annotate(f"{k}", (s, e), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.plot([1.0], [0.0], marker="*", markersize=12, color="k", linestyle="none", label="original")
    ax.axvline(1.5, color="gray", linestyle=":", linewidth=1)
    ax.axhline(0.23, color="gray", linestyle=":", linewidth=1)
    ax.set_xlabel("measured speed-up over the original (median of alternated runs in one alds eval call)")
    ax.set_ylabel("relative output error on photographs (mean)")
    ax.set_title("ResNet18, ONNX Runtime CPU, batch 1: error against measured latency (labels: keep)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "fronts.png"), dpi=110)


if __name__ == "__main__":
    main(sys.argv[1])
