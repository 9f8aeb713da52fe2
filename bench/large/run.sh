#!/usr/bin/env bash
# Large-model benchmark: times `alds compress` on a synthetic ~2 GB checkpoint (one file, then sharded)
# and records peak RSS with /usr/bin/time. Everything lives under a fresh /tmp directory, removed at exit.
#   bench/large/run.sh [SCALE]     (SCALE 1.0 ≈ 2 GB; results go to stdout as a Markdown table)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${1:-1.0}
work=$(mktemp -d /tmp/alds-large.XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet build -c Release "$root/src/Cli" -v q -nologo >/dev/null
alds="$root/src/Cli/bin/Release/net10.0/alds"
/usr/bin/python3 "$root/bench/large/make_checkpoint.py" "$work/in" --scale "$scale" >&2
options=(--keep 0.5 --max-groups 4)

measure() { # label, then the alds arguments
    local label=$1; shift
    sync; echo 1 >/proc/sys/vm/drop_caches 2>/dev/null || true
    /usr/bin/time -o "$work/time" -f "%e %M" "$alds" compress "$@" "${options[@]}" >"$work/log" 2>&1 \
        || { cat "$work/log" >&2; exit 1; }
    read -r seconds kib <"$work/time"
    printf '| %s | %s | %.1f | %d |\n' "$label" "$(du -sh --apparent-size "$1" | cut -f1)" "$seconds" $((kib / 1024))
}

echo "| input | size | wall s | peak RSS MiB |"
echo "|---|---|---|---|"
measure "one file" "$work/in/model.safetensors" -o "$work/out.safetensors"
rm -f "$work/out.safetensors"
measure "sharded ($(ls "$work/in/sharded" | grep -c safetensors$) shards)" "$work/in/sharded" -o "$work/out-sharded"
rm -rf "$work/out-sharded"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
