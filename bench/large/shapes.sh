#!/usr/bin/env bash
# Large dense layers (issue 12): `alds compress` on seeded checkpoints at the shapes users have, with wall time and
# peak RSS (/usr/bin/time), then the one-group factorisation against numpy (`alds bench factor`) and the k = 1
# spectra peers (numpy Gram + eigvalsh, torch.linalg.svdvals) on the Llama block's shapes.
#   bench/large/shapes.sh            (needs /usr/bin/python3 with numpy; torch optional; ~15 min on 2 cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/alds-shapes.XXXXXX)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$root/src/Cli" -v q -nologo >/dev/null
alds="$root/src/Cli/bin/Release/net10.0/alds"
/usr/bin/python3 "$root/bench/large/make_shapes.py" vgg11 "$work/vgg11.safetensors"
/usr/bin/python3 "$root/bench/large/make_shapes.py" llama-block "$work/llama-block.safetensors"

measure() { # label, model, then options
    local label=$1 model=$2; shift 2
    /usr/bin/time -o "$work/time" -f "%e %M" "$alds" compress "$model" -o "$work/out.safetensors" "$@" >"$work/log" 2>&1 \
        || { cat "$work/log" >&2; exit 1; }
    read -r seconds kib <"$work/time"
    local stages; stages=$(grep '^time:' "$work/log" | sed 's/^time: //')
    printf '| %s | %s | %.1f | %d | %s |\n' "$label" "$*" "$seconds" $((kib / 1024)) "$stages"
    rm -f "$work/out.safetensors"
}

echo "| model | options | wall s | peak RSS MiB | stages |"
echo "|---|---|---|---|---|"
measure "VGG11 (F32, 531 MB)" "$work/vgg11.safetensors" --keep 0.5
measure "VGG11 (F32, 531 MB)" "$work/vgg11.safetensors" --keep 0.5 --max-groups 8
measure "Llama-7B block (BF16, 405 MB)" "$work/llama-block.safetensors" --keep 0.5 --max-groups 8
echo
"$alds" bench factor --rows 4096 --cols 25088
/usr/bin/python3 "$root/bench/peers/block_spectra_peers.py" 4096x4096 4096x4096 4096x4096 4096x4096 11008x4096 11008x4096 4096x11008
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
