#!/usr/bin/env bash
# Reproduces docs/results/ with one command: scripts/experiment.sh
#
# On the embedded ResNet18 (the real ImageNet-trained one shipped with the CLI), for every allocation and keep,
# `alds compress --json -o MODEL.onnx` (the plan with measured residuals) then `alds eval ORIGINAL MODEL.onnx --json`
# (output error, cosine and latency against the original on the default skimage photographs; original and
# compressed are timed alternately in the same call, so the speed-up is fair on a loaded machine).
# Then a latency study at keep 0.5 (--align, --max-groups, schemes), the ONNX validity checks, and the CSVs and plots.
#
# Environment: KEEPS ("0.7 0.5 0.3"), RUNS (timed runs per model, 20), CROPS (crops per image, 2),
# LATENCY_RUNS (40), WORK (models and analysis cache, /tmp/alds-experiment), OUT (docs/results),
# STAGES ("sweep latency kernels repeat checks collect"). Models are written under WORK only: nothing large lands in OUT.
set -euo pipefail
cd "$(dirname "$0")/.."

KEEPS=${KEEPS:-"0.7 0.5 0.3"}
RUNS=${RUNS:-20}
CROPS=${CROPS:-2}
LATENCY_RUNS=${LATENCY_RUNS:-40}
WORK=${WORK:-/tmp/alds-experiment}
OUT=${OUT:-docs/results}
STAGES=${STAGES:-"sweep latency kernels repeat checks collect"}
CACHE=$WORK/cache

dotnet build -c Release src/Cli -nologo -v q -clp:ErrorsOnly
dotnet build -c Release tools/Experiment -nologo -v q -clp:ErrorsOnly
ALDS=src/Cli/bin/Release/net10.0/alds
TOOL=tools/Experiment/bin/Release/net10.0/alds-experiment
ORIGINAL=src/Cli/bin/Release/net10.0/DnnImageModels/ResNet18Onnx/ResNet18.onnx
mkdir -p "$OUT/raw" "$OUT/latency" "$WORK" "$CACHE"

load() { cut -d' ' -f1-3 /proc/loadavg; }

# run DIR STEM EVAL_RUNS COMPRESS-ARGS...: compress to WORK/STEM.onnx, evaluate, keep the two JSON files.
run() {
    local dir=$1 stem=$2 runs=$3
    shift 3
    local model=$WORK/$stem.onnx
    echo "== $stem: alds compress $* (load $(load))"
    "$ALDS" compress "$@" --cache "$CACHE" -o "$model" --json > "$dir/$stem.plan.json"
    "$ALDS" eval "$ORIGINAL" "$model" --json --runs "$runs" --crops "$CROPS" > "$dir/$stem.eval.json"
    echo "$stem $(load)" >> "$dir/load.txt"
    jq -c '{rel_output_error, cosine, latency_ms}' "$dir/$stem.eval.json" 2>/dev/null || true
    [[ $stem == exact-s0-max_k0.5 ]] || rm -f "$model"
}

if [[ " $STAGES " == *" sweep "* ]]; then
    : > "$OUT/raw/load.txt"
    for keep in $KEEPS; do
        run "$OUT/raw" "exact-s0-max_k$keep" "$RUNS" --keep "$keep" --optimizer exact --schemes 0 --error max
        run "$OUT/raw" "exact-s0-rss_k$keep" "$RUNS" --keep "$keep" --optimizer exact --schemes 0 --error rss
        run "$OUT/raw" "exact-all-max_k$keep" "$RUNS" --keep "$keep" --optimizer exact --schemes all --error max
        run "$OUT/raw" "exact-all-rss_k$keep" "$RUNS" --keep "$keep" --optimizer exact --schemes all --error rss
        run "$OUT/raw" "paper_k$keep" "$RUNS" --keep "$keep" --optimizer paper
        run "$OUT/raw" "k1_k$keep" "$RUNS" --keep "$keep" --optimizer k1
        run "$OUT/raw" "uniform_k$keep" "$RUNS" --keep "$keep" --optimizer uniform
        run "$OUT/raw" "energy_k$keep" "$RUNS" --keep "$keep" --optimizer energy
    done
fi

if [[ " $STAGES " == *" latency "* ]]; then
    # keep 0.5: does the grouped encoder cost time in ONNX Runtime, and which setting removes it?
    : > "$OUT/latency/load.txt"
    L=$OUT/latency
    run "$L" "exact-s0-max_k0.5" "$LATENCY_RUNS" --keep 0.5
    for a in 8 16; do run "$L" "exact-s0-max_k0.5_a$a" "$LATENCY_RUNS" --keep 0.5 --align "$a"; done
    run "$L" "exact-s0-max_k0.5_g16" "$LATENCY_RUNS" --keep 0.5 --max-groups 16
    for g in 16 8 4; do run "$L" "exact-s0-max_k0.5_a16_g$g" "$LATENCY_RUNS" --keep 0.5 --align 16 --max-groups "$g"; done
    run "$L" "exact-all-max_k0.5" "$LATENCY_RUNS" --keep 0.5 --schemes all
    run "$L" "uniform_k0.5" "$LATENCY_RUNS" --keep 0.5 --optimizer uniform
fi

if [[ " $STAGES " == *" kernels "* ]]; then
    # which convolutions ONNX Runtime runs in its blocked NCHWc layout (the eval's settings) for each latency model
    echo "model nchwc_conv plain_conv reorders" > "$OUT/latency/kernels.txt"
    "$TOOL" ortopt "$ORIGINAL" "$WORK/original.opt.onnx" > /dev/null
    /usr/bin/python3 scripts/ort_ops.py "$WORK/original.opt.onnx" >> "$OUT/latency/kernels.txt"
    for plan in "$OUT"/latency/*.plan.json; do
        stem=$(basename "$plan" .plan.json)
        args=(--keep 0.5 --optimizer "$(jq -r .optimizer "$plan")")
        [[ $(jq -c .schemes "$plan") == "[0]" ]] || args+=(--schemes all)
        [[ $stem == *_a* ]] && args+=(--align "$(sed 's/.*_a\([0-9]*\).*/\1/' <<< "$stem")")
        [[ $stem == *_g* ]] && args+=(--max-groups "$(sed 's/.*_g\([0-9]*\).*/\1/' <<< "$stem")")
        "$ALDS" compress "${args[@]}" --cache "$CACHE" -o "$WORK/$stem.k.onnx" --json > /dev/null
        "$TOOL" ortopt "$WORK/$stem.k.onnx" "$WORK/$stem.opt.onnx" > /dev/null
        /usr/bin/python3 scripts/ort_ops.py "$WORK/$stem.opt.onnx" >> "$OUT/latency/kernels.txt"
        rm -f "$WORK/$stem.k.onnx" "$WORK/$stem.opt.onnx"
    done
    cat "$OUT/latency/kernels.txt"
fi

if [[ " $STAGES " == *" repeat "* ]]; then
    # the load of the shared machine moves a lot between calls: time the three candidates REPEATS more times each
    echo "model speedup_per_call (original median ms / compressed median ms)" > "$OUT/latency/repeats.txt"
    for spec in "exact-s0-max_k0.5|" "exact-s0-max_k0.5_a16|--align 16" "exact-s0-max_k0.5_a16_g16|--align 16 --max-groups 16"; do
        stem=${spec%%|*}
        read -ra extra <<< "${spec#*|}"
        "$ALDS" compress --keep 0.5 "${extra[@]}" --cache "$CACHE" -o "$WORK/$stem.r.onnx" --json > /dev/null
        line=$stem
        for _ in $(seq "${REPEATS:-3}"); do
            line+=" $("$ALDS" eval "$ORIGINAL" "$WORK/$stem.r.onnx" --json --runs "$LATENCY_RUNS" --crops 1 \
                | jq -r '(.latency_ms.original / .latency_ms.compressed * 1000 | round / 1000 | tostring) + "(" + (.latency_ms.original|round|tostring) + "/" + (.latency_ms.compressed|round|tostring) + ")"')"
        done
        echo "$line (load $(load))" | tee -a "$OUT/latency/repeats.txt"
        rm -f "$WORK/$stem.r.onnx"
    done
fi

if [[ " $STAGES " == *" checks "* ]]; then
    # ONNX in, ONNX out (and safetensors out): is the compressed file a model others accept?
    {
        echo "# ONNX validity checks ($(date -u +%F))"
        model=$WORK/exact-s0-max_k0.5.onnx
        [[ -f $model ]] || "$ALDS" compress --keep 0.5 --cache "$CACHE" -o "$model" --json > /dev/null
        echo "## onnx.checker (python3-onnx)"
        /usr/bin/python3 scripts/onnx_check.py "$ORIGINAL" "$model" || echo "onnx_check exit $?"
        echo "## ONNX Runtime, graph optimisations off and on"
        "$TOOL" ortcheck "$ORIGINAL" "$model" || echo "ortcheck exit $?"
        echo "## --format safetensors from the ONNX input, verified by the PyTorch front end"
        "$ALDS" compress "$ORIGINAL" --keep 1 --format safetensors -o "$WORK/original.safetensors" --cache "$CACHE" --json > /dev/null
        "$ALDS" compress "$ORIGINAL" --keep 0.5 --format safetensors -o "$WORK/k0.5.safetensors" --cache "$CACHE" --json > /dev/null
        /usr/bin/python3 frontends/python/alds_torch.py verify "$WORK/original.safetensors" "$WORK/k0.5.safetensors" \
            | jq -c '{max_rel_error_measured_py, max_rel_error_measured: ([.layers[].rel_error_measured] | max), passthrough_mismatches}' \
            || echo "front-end verify unavailable or failed"
    } 2>&1 | tee "$OUT/checks.txt"
fi

if [[ " $STAGES " == *" collect "* ]]; then
    "$TOOL" collect "$OUT/raw" "$OUT/results.csv"
    "$TOOL" collect "$OUT/latency" "$OUT/latency.csv"
    "$TOOL" plot "$OUT/results.csv" "$OUT/output_error_vs_keep.png" rel_output_error \
        "relative output error ||y - y'|| / ||y|| (mean over crops)" "ResNet18 (ImageNet): output error of the compressed ONNX model"
    "$TOOL" plot "$OUT/results.csv" "$OUT/planned_error_vs_keep.png" planned_max_error \
        "planned max relative error (the allocation's own measure)" "ResNet18: planned max layer error"
    {
        echo "date: $(date -u '+%F %T') UTC"
        echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores visible"
        echo "load average at the end: $(load)"
        echo "dotnet: $(dotnet --version)"
        echo "command: scripts/experiment.sh (KEEPS='$KEEPS' RUNS=$RUNS CROPS=$CROPS LATENCY_RUNS=$LATENCY_RUNS)"
    } > "$OUT/machine.txt"
    cat "$OUT/machine.txt"
fi
