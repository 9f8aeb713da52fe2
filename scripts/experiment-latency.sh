#!/usr/bin/env bash
# Issue 15's figures: ResNet18 planned under params, macs and latency budgets (exact) and uniform, keep 0.9 … 0.3,
# each compressed to ONNX and compared with the original in ONE `alds eval` call per batch (output error on the skimage
# photographs; original and compressed timed alternately, median of RUNS runs, ONNX Runtime CPU, intra-op threads =
# logical CPUs, at batch 1 and batch 8). Then scripts/latency_collect.py writes the table, the CSV and the PNG of the fronts.
#
#   scripts/experiment-latency.sh            # KEEPS="0.5 0.3 0.7 0.9 0.4 0.6 0.8" BATCHES="1 8" RUNS=40 CROPS=2
#
# Environment: KEEPS (any order; the most informative first when time is short), BATCHES, RUNS, CROPS, WORK
# (/tmp/alds-latency: models, caches, a copy of the CLI), OUT (docs/results/latency-budgets), ALLOCATIONS ("params
# macs latency uniform"). The params, macs and uniform plans do not depend on the batch: each is compressed once and
# evaluated at every batch; the latency plan is planned on the table of its batch (`--batch B`). A latency table is
# measured once per batch into WORK/cache (per machine, ONNX Runtime version, thread count and batch) and reused by
# every plan; delete WORK/cache/latency to re-measure. Results: OUT/raw/bB/STEM.{plan,eval,report,macs}.json, the load
# average after every eval in OUT/raw/load.txt.
# On a shared machine the absolute milliseconds are not comparable between calls: compare the ratio original/compressed
# of each call (both models in the same call), and re-run on a quiet machine before quoting a speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."

KEEPS=${KEEPS:-"0.5 0.3 0.7 0.9 0.4 0.6 0.8"}
BATCHES=${BATCHES:-"1 8"}
RUNS=${RUNS:-40}
CROPS=${CROPS:-2}
WORK=${WORK:-/tmp/alds-latency}
OUT=${OUT:-docs/results/latency-budgets}
ALLOCATIONS=${ALLOCATIONS:-"params macs latency uniform"}
CACHE=$WORK/cache

mkdir -p "$WORK" "$CACHE" "$OUT/raw"
for b in $BATCHES; do mkdir -p "$OUT/raw/b$b"; done
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
    echo "keeps: $KEEPS; batches: $BATCHES; runs: $RUNS; crops: $CROPS"
    echo "load at start: $(load)"
} > "$OUT/machine.txt"

# the latency tables: measured once per batch before the sweep (the calibration line says how far the layers' sum is
# from the original's median)
for b in $BATCHES; do
    echo "== latency table, batch $b (load $(load))"
    "$ALDS" plan --keep 0.9 --budget latency --batch "$b" --cache "$CACHE" > "$OUT/raw/b$b/latency-table.txt"
    grep 'latency table' "$OUT/raw/b$b/latency-table.txt" || true
    echo "table b$b $(load)" >> "$OUT/raw/load.txt"
done
cp "$CACHE"/latency/*.json "$OUT/raw/" 2>/dev/null || true

evaluate() { # MODEL BATCH STEM
    "$ALDS" eval "$ORIGINAL" "$1" --json --runs "$RUNS" --crops "$CROPS" --batch "$2" > "$OUT/raw/b$2/$3.eval.json"
    echo "$3 b$2 $(load)" >> "$OUT/raw/load.txt"
    echo "   b$2: $(/usr/bin/python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); l=e["latency_ms"]; print("error %.4f, %.1f / %.1f ms = %.2fx" % (e["rel_output_error"], l["original"], l["compressed"], l["original"] / l["compressed"]))' "$OUT/raw/b$2/$3.eval.json") (load $(load))"
}

compress() { # STEM BATCH ARGS... → WORK/STEM.onnx and OUT/raw/bBATCH/STEM.{plan,report,macs}.json
    local stem=$1 b=$2; shift 2
    local raw=$OUT/raw/b$b
    echo "== $stem (batch $b): alds compress $* (load $(load))"
    if ! "$ALDS" compress "$@" --cache "$CACHE" -o "$WORK/$stem.onnx" --json --report "$raw/$stem.report.json" \
        > "$raw/$stem.plan.json" 2> "$raw/$stem.err"; then
        echo "   $(cat "$raw/$stem.err")"; rm -f "$raw/$stem.plan.json"; return 1
    fi
    /usr/bin/python3 scripts/onnx_macs.py "$WORK/$stem.onnx" > "$raw/$stem.macs.json"
}

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
        if [[ $alloc == latency ]]; then
            # one plan per batch, each on its own table
            for b in $BATCHES; do
                compress "$stem" "$b" "${args[@]}" --batch "$b" || continue
                evaluate "$WORK/$stem.onnx" "$b" "$stem"
                rm -f "$WORK/$stem.onnx"
            done
        else
            first=${BATCHES%% *}
            compress "$stem" "$first" "${args[@]}" || continue
            for b in $BATCHES; do
                [[ $b == "$first" ]] || cp "$OUT/raw/b$first/$stem".{plan,macs}.json "$OUT/raw/b$b/"
                evaluate "$WORK/$stem.onnx" "$b" "$stem"
            done
            rm -f "$WORK/$stem.onnx"
        fi
    done
done
/usr/bin/python3 scripts/onnx_macs.py "$ORIGINAL" > "$OUT/raw/original.macs.json"
echo "load at end: $(load)" >> "$OUT/machine.txt"
/usr/bin/python3 scripts/latency_collect.py "$OUT"
