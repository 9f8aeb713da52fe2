#!/usr/bin/env bash
# Issue 14: data-aware (calibrated) exact ALDS against data-free exact ALDS on held-out photographs.
# Calibrates on one half of the skimage photographs and evaluates on the other half (disjoint files), on the embedded
# ResNet18, at keep 0.5/0.3/0.7, for each sample count: calibrated allocation (aware-*) and data-free allocation with
# whitened factors (mixed-*). Resumable: existing outputs are reused.
# Usage: scripts/calibration-experiment.sh [WORKDIR] [SAMPLES...]   (default /tmp/alds-calibration, samples 64)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/alds-calibration}"; shift || true
samples=("${@:-64}")
alds="${ALDS:-$here/src/Cli/bin/Release/net10.0/alds}"
model="$(dirname "$alds")/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
data=/usr/lib/python3/dist-packages/skimage/data
[ -x "$alds" ] || dotnet build -c Release "$here/src/Cli" >/dev/null
mkdir -p "$work/calibrate" "$work/evaluate"
for f in astronaut.png coffee.png ihc.png motorcycle_right.png rocket.jpg coins.png; do ln -sf "$data/$f" "$work/calibrate/$f"; done
for f in chelsea.png hubble_deep_field.jpg motorcycle_left.png retina.jpg camera.png moon.png; do ln -sf "$data/$f" "$work/evaluate/$f"; done
cd "$work"
row() { # name model.onnx
  "$alds" eval "$model" "$2" --images evaluate --runs 5 --json > "$1.eval.json"
  python3 - "$1" <<'PY'
import json, sys
name = sys.argv[1]
e = json.load(open(name + ".eval.json"))
p = json.load(open(name + ".report.json"))["plan"]
layers = [l for l in p["layers"] if l["compressed"]]
res = max(l.get("rel_error_measured", 0) for l in layers)
white = max((l.get("rel_error_measured_whitened", 0) for l in layers), default=0)
print(f"| {name} | {p['max_rel_error']:.6f} | {res:.4f} | {white:.4f} | {e['rel_output_error']:.4f} | {e['max_rel_output_error']:.4f} | {e['cosine']:.4f} |")
PY
}
echo "| run | planned max error | measured residual (plain, max) | measured residual on calibration data (max) | output error (mean) | output error (max) | cosine |"
echo "|---|---|---|---|---|---|---|"
for keep in 0.5 0.3 0.7; do
  name="free-k$keep"
  [ -f "$name.onnx" ] || "$alds" compress --keep "$keep" -o "$name.onnx" --report "$name.report.json" > "$name.log" 2>&1
  row "$name" "$name.onnx"
  for s in "${samples[@]}"; do
    name="aware-s$s-k$keep"
    [ -f "$name.onnx" ] || "$alds" compress --keep "$keep" --calibration calibrate --calibration-samples "$s" --cache cache \
      -o "$name.onnx" --report "$name.report.json" > "$name.log" 2>&1
    row "$name" "$name.onnx"
    name="mixed-s$s-k$keep" # data-free allocation, whitened factors
    [ -f "$name.onnx" ] || "$alds" compress --keep "$keep" --calibration calibrate --calibration-samples "$s" --cache cache \
      --calibration-allocation data-free -o "$name.onnx" --report "$name.report.json" > "$name.log" 2>&1
    row "$name" "$name.onnx"
  done
done
