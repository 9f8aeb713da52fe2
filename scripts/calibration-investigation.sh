#!/usr/bin/env bash
# Issue 14, why the calibrated allocation loses on ResNet18 (docs/calibration.md "Limits"): keep 0.5, the calibration and
# held-out halves of the skimage photographs of scripts/calibration-experiment.sh, 64 crops; data-free exact and uniform,
# data-aware exact with the specified normalisation (sigma_1(F L)), with --calibration-norm frobenius and centred, with --error rss,
# data-aware uniform, and the data-free allocation with whitened factors. Outputs: docs/results/calibration-investigation/.
# Usage: scripts/calibration-investigation.sh [WORKDIR]   (default /tmp/alds-calibration-investigation)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/alds-calibration-investigation}"
alds="${ALDS:-$here/src/Cli/bin/Release/net10.0/alds}"
model="$(dirname "$alds")/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
out="$here/docs/results/calibration-investigation"
data=/usr/lib/python3/dist-packages/skimage/data
[ -x "$alds" ] || dotnet build -c Release "$here/src/Cli" >/dev/null
mkdir -p "$work/calibrate" "$work/evaluate" "$out"
for f in astronaut.png coffee.png ihc.png motorcycle_right.png rocket.jpg coins.png; do ln -sf "$data/$f" "$work/calibrate/$f"; done
for f in chelsea.png hubble_deep_field.jpg motorcycle_left.png retina.jpg camera.png moon.png; do ln -sf "$data/$f" "$work/evaluate/$f"; done
cd "$work"
one() { local name=$1; shift
  [ -s "$out/$name.eval.json" ] && return
  "$alds" compress "$@" -o "$name.onnx" --report "$name.report.json" > "$name.log" 2>&1
  "$alds" eval "$model" "$name.onnx" --images evaluate --runs 3 --json > "$out/$name.eval.json"
  rm -f "$name.onnx"
}
cal=(--calibration calibrate --calibration-samples 64 --cache cache)
one free-k0.5 --keep 0.5
one aware-spectral-k0.5 --keep 0.5 "${cal[@]}"
one aware-frobenius-k0.5 --keep 0.5 "${cal[@]}" --calibration-norm frobenius
one aware-centred-k0.5 --keep 0.5 "${cal[@]}" --calibration-norm centred
one aware-rss-k0.5 --keep 0.5 "${cal[@]}" --error rss
one aware-uniform-k0.5 --keep 0.5 --optimizer uniform "${cal[@]}"
one free-uniform-k0.5 --keep 0.5 --optimizer uniform
one aware-freealloc-k0.5 --keep 0.5 "${cal[@]}" --calibration-allocation data-free
for f in "$out"/*.eval.json; do python3 -c "import json,sys;e=json.load(open(sys.argv[1]));print(sys.argv[1].split('/')[-1], round(e['rel_output_error'],4), round(e['cosine'],4))" "$f"; done
