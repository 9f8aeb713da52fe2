#!/usr/bin/env bash
# Issue 15's figures: ResNet18 planned under params, macs and latency budgets (exact) and uniform, keep 0.9 … 0.3,
# each compressed to ONNX and compared with the original in ONE `alds eval` call (output error on the skimage
# photographs; original and compressed timed alternately, median of RUNS runs, ONNX Runtime CPU, intra-op threads =
# logical CPUs, batch 1). Then scripts/latency_collect.py writes the table, the CSV and the PNG of the fronts.
#
#   scripts/experiment-latency.sh            # KEEPS="0.9 0.8 0.7 0.6 0.5 0.4 0.3" RUNS=40 CROPS=2
#
# Environment: KEEPS (any order; the most informative first when time is short), RUNS, CROPS, WORK (/tmp/alds-latency: models, caches, a copy of the CLI), OUT (docs/results/latency-budgets),
# ALLOCATIONS ("params macs latency uniform"). The latency table is measured once into WORK/cache (per machine, ONNX
# Runtime version and thread count) and reused by every plan; delete WORK/cache/latency to re-measure.
# On a shared machine the absolute milliseconds are not comparable between calls: compare the ratio original/compressed
# of each call (both models in the same call), and re-run on a quiet machine before quoting a speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."

KEEPS=${KEEPS:-"0.9 0.8 0.7 0.6 0.5 0.4 0.3"}
RUNS=${RUNS:-40}
CROPS=${CROPS:-2}
WORK=${WORK:-/tmp/alds-latency}
OUT=${OUT:-docs/results/latency-budgets}
ALLOCATIONS=${ALLOCATIONS:-"params macs latency uniform"}
CACHE=$WORK/cache

mkdir -p "$WORK" "$CACHE" "$OUT/raw"
# run from a copy, so that a rebuild during the experiment does not change the binary under it (REBUILD=0: reuse the copy)
if [[ ${REBUILD:-1} != 0 || ! -x $WORK/bin/alds ]]; then
    dotnet build -c Release src/Cli -nologo -v q -clp:ErrorsOnly
    rm -rf "$WORK/bin" && cp -r src/Cli/bin/Release/net10.0 "$WORK/bin"
fi
ALDS=$WORK/bin/alds
ORIGINAL=$WORK/bin/DnnImageModels/ResNet18Onnx/ResNet18.onnx

load() { cut -d' ' -f1-3 /proc/loadavg; }
{
    echo "date: $(date -u +%FT%TZ)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) logical CPUs; flags: $(grep -m1 -o -w 'avx512f\|avx2' /proc/cpuinfo | sort -u | xargs)"
    echo "commit: $(git rev-parse --short HEAD)"
    echo "load at start: $(load)"
} > "$OUT/machine.txt"

# the latency table: measured once (and the MACs shapes recorded) before the sweep
echo "== latency table (load $(load))"
"$ALDS" plan --keep 0.9 --budget latency --cache "$CACHE" > "$OUT/raw/latency-table.txt"
cp "$CACHE"/latency/*.json "$OUT/raw/" 2>/dev/null || true

touch "$OUT/raw/load.txt"
for keep in $KEEPS; do
    for alloc in $ALLOCATIONS; do
        stem=${alloc}_k$keep
        case $alloc in
            params) args=(--keep "$keep") ;;
            macs) args=(--keep "$keep" --budget macs) ;;
            latency) args=(--keep "$keep" --budget latency) ;;
            uniform) args=(--keep "$keep" --optimizer uniform) ;;
            *) echo "unknown allocation $alloc" >&2; exit 2 ;;
        esac
        model=$WORK/$stem.onnx
        echo "== $stem: alds compress ${args[*]} (load $(load))"
        if ! "$ALDS" compress "${args[@]}" --cache "$CACHE" -o "$model" --json --report "$OUT/raw/$stem.report.json" \
            > "$OUT/raw/$stem.plan.json" 2> "$OUT/raw/$stem.err"; then
            echo "   $(cat "$OUT/raw/$stem.err")"; rm -f "$OUT/raw/$stem.plan.json"; continue
        fi
        /usr/bin/python3 scripts/onnx_macs.py "$model" > "$OUT/raw/$stem.macs.json"
        "$ALDS" eval "$ORIGINAL" "$model" --json --runs "$RUNS" --crops "$CROPS" > "$OUT/raw/$stem.eval.json"
        echo "$stem $(load)" >> "$OUT/raw/load.txt"
        rm -f "$model"
    done
done
/usr/bin/python3 scripts/onnx_macs.py "$ORIGINAL" > "$OUT/raw/original.macs.json"
echo "load at end: $(load)" >> "$OUT/machine.txt"
/usr/bin/python3 scripts/latency_collect.py "$OUT"
