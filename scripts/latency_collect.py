#!/usr/bin/env python3
"""Collects scripts/experiment-latency.sh's raw JSON (OUT/raw/bB/) into OUT/latency-budgets.csv, OUT/table.md and OUT/fronts.png.

Predicted latency of every plan (not only the latency-budget ones) comes from the latency table of its batch, with the
planner's rule (docs/results.md, docs/cache.md): a layer kept whole costs its measured time; factorised as (s, k, j),
linear interpolation in j between the measured ranks of its (s, k) of the same class (aligned: j a multiple of the
table's NCHWc block; unaligned otherwise), the nearest measured rank's time beyond them; plus the rest of the graph;
the sum times the table's calibration (the original's median of alternated runs over the table's own sum for it).
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


def scale(table):
    own = table["rest_nanoseconds"] + sum(l["whole_nanoseconds"] for l in table["layers"])
    return table["model"]["median_nanoseconds"] / own


def predicted_ms(table, plan, rest=True):
    """The table's prediction (rest=True); rest=False: the layers alone, scaled so that the original's is its median
    (no additive rest: every millisecond of the whole model is taken to shrink with its layers)."""
    if not rest:
        layers_only = layers_sum(table, plan)
        return None if layers_only is None else table["model"]["median_nanoseconds"] * layers_only / sum(l["whole_nanoseconds"] for l in table["layers"]) / 1e6
    layers_only = layers_sum(table, plan)
    return None if layers_only is None else scale(table) * (table["rest_nanoseconds"] + layers_only) / 1e6


def layers_sum(table, plan):
    layers = {l["name"]: l for l in table["layers"]}
    total = 0
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
    return total


def loads(raw):
    """{(stem, batch): '1-min 5-min 15-min'} after each eval."""
    out = {}
    path = os.path.join(raw, "load.txt")
    if os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) >= 5 and parts[1].startswith("b"):
                out[(parts[0], int(parts[1][1:]))] = " ".join(parts[2:5])
    return out


def main(out):
    raw = os.path.join(out, "raw")
    tables = {}
    for path in glob.glob(os.path.join(raw, "*.json")):
        with open(path) as f:
            doc = json.load(f)
        if isinstance(doc, dict) and "table" in doc and "method" in doc:
            tables[doc["table"]["environment"]["batch"]] = doc["table"]
    with open(os.path.join(raw, "original.macs.json")) as f:
        macs_original = json.load(f)["total"]
    load_after = loads(raw)
    rows = []
    for plan_path in sorted(glob.glob(os.path.join(raw, "b*", "*.plan.json"))):
        batch = int(os.path.basename(os.path.dirname(plan_path))[1:])
        bdir = os.path.dirname(plan_path)
        stem = os.path.basename(plan_path)[: -len(".plan.json")]
        alloc, keep = stem.rsplit("_k", 1)
        needed = [plan_path] + [os.path.join(bdir, stem + x) for x in (".eval.json", ".macs.json")]
        if not all(os.path.exists(p) and os.path.getsize(p) > 0 for p in needed):
            continue  # a row still running, or one that failed
        with open(plan_path) as f:
            plan = json.load(f)
        with open(os.path.join(bdir, stem + ".eval.json")) as f:
            ev = json.load(f)
        with open(os.path.join(bdir, stem + ".macs.json")) as f:
            macs = json.load(f)["total"]
        lat = ev["latency_ms"]
        orig, comp = lat["original"], lat["compressed"]
        table = tables.get(batch)
        pred = predicted_ms(table, plan) if table else None
        pred_orig = table["model"]["median_nanoseconds"] / 1e6 if table else None
        rows.append({
            "batch": batch, "keep": float(keep), "allocation": alloc,
            "params_kept": plan["budget"]["params_after"] / plan["budget"]["params_before"],
            "macs_kept": macs / macs_original,
            "planned_max_error": plan["max_rel_error"],
            "output_error": ev["rel_output_error"], "cosine": ev.get("cosine"),
            "original_ms": orig, "compressed_ms": comp, "speedup": orig / comp,
            "original_p90_ms": ev["latency_p90_ms"]["original"], "compressed_p90_ms": ev["latency_p90_ms"]["compressed"],
            "predicted_ms": pred, "predicted_original_ms": pred_orig,
            "predicted_speedup": pred_orig / pred if pred else None,
            "predicted_over_measured": pred / comp if pred else None,
            "predicted_over_measured_original": pred_orig / orig if pred_orig else None,
            # the prediction against the same call's original: predicted ms × measured original / predicted original
            "same_call_predicted_over_measured": pred * orig / pred_orig / comp if pred else None,
            "predicted_ms_no_rest": predicted_ms(table, plan, rest=False) if table else None,
            "load_after": load_after.get((stem, batch), ""),
        })
    order = {"params": 0, "macs": 1, "latency": 2, "uniform": 3}
    rows.sort(key=lambda r: (r["batch"], order.get(r["allocation"], 9), -r["keep"]))
    fields = list(rows[0].keys()) if rows else []
    with open(os.path.join(out, "latency-budgets.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    fmt = lambda v, p: "-" if v is None else f"{v:.{p}f}"
    with open(os.path.join(out, "table.md"), "w") as f:
        for b in sorted({r["batch"] for r in rows}):
            t = tables.get(b)
            if t:
                f.write(f"Batch {b}: latency table calibrated ×{scale(t):.3f} (original median {t['model']['median_nanoseconds'] / 1e6:.1f} ms "
                        f"of {t['model']['runs']} alternated runs, fastest {t['model']['fastest_nanoseconds'] / 1e6:.1f} ms; layers + rest "
                        f"{(t['rest_nanoseconds'] + sum(l['whole_nanoseconds'] for l in t['layers'])) / 1e6:.1f} ms)\n\n")
            f.write("| batch | allocation | keep | params kept | MACs kept | output error | original ms | compressed ms | measured speed-up | "
                    "predicted speed-up | predicted ms | predicted / measured | predicted / measured, same-call original | "
                    "no rest: predicted speed-up | no rest: predicted / measured | load after |\n")
            f.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
            for r in (r for r in rows if r["batch"] == b):
                f.write(f"| {b} | {r['allocation']} | {r['keep']} | {fmt(r['params_kept'], 3)} | {fmt(r['macs_kept'], 3)} | **{fmt(r['output_error'], 4)}** | "
                        f"{fmt(r['original_ms'], 1)} | {fmt(r['compressed_ms'], 1)} | **{fmt(r['speedup'], 2)}×** | "
                        f"{fmt(r['predicted_speedup'], 2)}× | {fmt(r['predicted_ms'], 1)} | {fmt(r['predicted_over_measured'], 2)} | "
                        f"{fmt(r['same_call_predicted_over_measured'], 2)} | "
                        f"{fmt(r['predicted_original_ms'] / r['predicted_ms_no_rest'] if r['predicted_ms_no_rest'] else None, 2)}× | "
                        f"{fmt(r['predicted_ms_no_rest'] / r['compressed_ms'] if r['predicted_ms_no_rest'] else None, 2)} | {r['load_after']} |\n")
            within = [r for r in rows if r["batch"] == b and r["predicted_ms"]]
            if within:
                n_abs = sum(abs(r["predicted_over_measured"] - 1) <= 0.15 for r in within)
                n_rel = sum(abs(r["same_call_predicted_over_measured"] - 1) <= 0.15 for r in within)
                n_norest = sum(abs(r["predicted_ms_no_rest"] * r["original_ms"] / r["predicted_original_ms"] / r["compressed_ms"] - 1) <= 0.15 for r in within)
                n_norest_abs = sum(abs(r["predicted_ms_no_rest"] / r["compressed_ms"] - 1) <= 0.15 for r in within)
                f.write(f"\nBatch {b}: prediction within 15 % of the measured median for {n_abs} of {len(within)} plans; "
                        f"against the same call's original (the predicted speed-up against the measured one) for {n_rel} of {len(within)}. "
                        f"Without the additive rest (the layers' sum scaled to the original's median): {n_norest_abs} and {n_norest} of {len(within)}.\n\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no PNG", file=sys.stderr)
        return
    batches = sorted({r["batch"] for r in rows})
    fig, axes = plt.subplots(1, len(batches), figsize=(7.5 * len(batches), 5.5), squeeze=False)
    for ax, b in zip(axes[0], batches):
        for alloc, marker in (("params", "o"), ("macs", "s"), ("latency", "^"), ("uniform", "x")):
            pts = sorted((r["speedup"], r["output_error"], r["keep"]) for r in rows if r["allocation"] == alloc and r["batch"] == b)
            if not pts:
                continue
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=f"{alloc}" if alloc == "uniform" else f"exact, --budget {alloc}")
            for sp, e, k in pts:
                ax.annotate(f"{k}", (sp, e), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.plot([1.0], [0.0], marker="*", markersize=12, color="k", linestyle="none", label="original")
        ax.axvline(1.5, color="gray", linestyle=":", linewidth=1)
        ax.axhline(0.23, color="gray", linestyle=":", linewidth=1)
        ax.set_xlabel("measured speed-up over the original (median of alternated runs in one alds eval call)")
        ax.set_ylabel("relative output error on photographs (mean)")
        ax.set_title(f"ResNet18, ONNX Runtime CPU, batch {b} (labels: keep)")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "fronts.png"), dpi=100)


if __name__ == "__main__":
    main(sys.argv[1])
