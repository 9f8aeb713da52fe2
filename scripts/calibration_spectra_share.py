#!/usr/bin/env python3
"""Per layer, from `alds analyze --max-groups 1 --json` (calibrated and data-free): the share of sigma_1^2 in
||F L||_F^2, ||F L||_F / sigma_1, and the rank at which sigma_{j+1}/sigma_1 falls below 5 %."""
import json, math, sys
cal = json.load(open(sys.argv[1])); free = json.load(open(sys.argv[2]))
def stats(o):
    s = [o['norm']] + [e * o['norm'] for e in o['errors']]
    tot = sum(v * v for v in s)
    r = next((j for j, v in enumerate(s) if v / s[0] < 0.05), len(s))
    return f"{s[0]**2 / tot:.3f} | {math.sqrt(tot) / s[0]:.2f} | {r}"
print("| layer | shape [out, in] | calibrated: σ_1² share | ‖FL‖_F/σ_1 | rank at 5 % | data-free: σ_1² share | ‖F‖_F/σ_1 | rank at 5 % |")
print("|---|---|---|---|---|---|---|---|")
for lc, lf in zip(cal['layers'], free['layers']):
    oc = next(o for o in lc['options'] if o['groups'] == 1); of = next(o for o in lf['options'] if o['groups'] == 1)
    print(f"| {lc['name']} | {lc['shape'][:2]} | {stats(oc)} | {stats(of)} |")
