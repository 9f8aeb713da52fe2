#!/usr/bin/env bash
# Same-run comparison of the scheme-0 all-k sweep of the embedded ResNet18: `alds analyze` (our CPU sweep,
# whole command: start-up, model read, sweep) against numpy + OpenBLAS SVDs (resnet18_sweep_numpy.py,
# OPENBLAS_NUM_THREADS=2), back to back, N rounds alternating, printing wall and user CPU of each and the
# ratio of the medians. On a shared machine compare user CPU as well as wall, and quote the load average.
# Usage: bench/peers/run_sweep_comparison.sh [rounds=3]   (builds src/Cli in Release if needed)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
alds=${ALDS:-src/Cli/bin/Release/net10.0/alds}   # ALDS=path compares another build
[ -x "$alds" ] || dotnet build -c Release src/Cli >/dev/null
weights=/tmp/alds_r18_original.safetensors
# --keep 1 writes the original weights unchanged: the peer reads exactly the tensors we analyse.
[ -f "$weights" ] || "$alds" compress --keep 1 -o "$weights" >/dev/null
export OPENBLAS_NUM_THREADS=2
timed() { /usr/bin/time -f "%e %U" "$@" 2>&1 >/dev/null | tail -1; }
ours=() peer=() ours_u=() peer_u=()
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  read -r w u < <(timed "$alds" analyze --json); ours+=("$w"); ours_u+=("$u")
  read -r w u < <(timed /usr/bin/python3 bench/peers/resnet18_sweep_numpy.py "$weights"); peer+=("$w"); peer_u+=("$u")
  echo "round $r: alds analyze ${ours[-1]} s wall ${ours_u[-1]} s user | numpy+OpenBLAS ${peer[-1]} s wall ${peer_u[-1]} s user"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mo=$(median "${ours[@]}"); mp=$(median "${peer[@]}"); mou=$(median "${ours_u[@]}"); mpu=$(median "${peer_u[@]}")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v o="$mo" -v p="$mp" -v ou="$mou" -v pu="$mpu" 'BEGIN {
  printf "median wall: alds %.2f s, numpy %.2f s -> %.1fx\n", o, p, p / o;
  printf "median user: alds %.2f s, numpy %.2f s -> %.1fx\n", ou, pu, pu / ou }'
