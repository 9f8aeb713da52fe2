#!/usr/bin/env python3
"""Summarises an ONNX Runtime profile (alds-experiment ortprofile): per run, its time against its kernels' sum and the
gap between them; per kernel, the fastest and the median over runs; and what an isolated-layer table would add up to
(the sum of every kernel's fastest).
usage: ort_profile_summary.py PROFILE.json
"""
import collections
import json
import sys

ev = json.load(open(sys.argv[1]))
runs = sorted((e for e in ev if e.get("cat") == "Session" and e["name"] == "model_run"), key=lambda e: e["ts"])
nodes = [e for e in ev if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")]
per_run = []
for r in runs:
    ks = [n for n in nodes if r["ts"] <= n["ts"] <= r["ts"] + r["dur"]]
    per_run.append((r["dur"], sum(k["dur"] for k in ks), len(ks)))
per_run.sort()
med = lambda xs: sorted(xs)[len(xs) // 2]
print(f"{len(runs)} runs: whole run fastest {per_run[0][0] / 1e3:.2f} ms, median {med([p[0] for p in per_run]) / 1e3:.2f} ms; "
      f"kernels per run {per_run[0][2]}; gap between kernels (run - kernels) median {med([p[0] - p[1] for p in per_run]) / 1e3:.2f} ms")
per = collections.defaultdict(list)
ops = {}
for e in nodes:
    per[e["name"]].append(e["dur"])
    ops[e["name"]] = e["args"].get("op_name", "?")
print(f"sum over kernels of each kernel's fastest {sum(min(d) for d in per.values()) / 1e3:.2f} ms, of each kernel's median "
      f"{sum(med(d) for d in per.values()) / 1e3:.2f} ms")
by_op = collections.defaultdict(float)
for name, d in per.items():
    by_op[ops[name]] += med(d)
print("median per operator (ms): " + ", ".join(f"{op} {v / 1e3:.2f}" for op, v in sorted(by_op.items(), key=lambda x: -x[1])))
