#!/usr/bin/env bash
# One call on the device machine (x86-64, CUDA 13, PyTorch 2.x in python3, no .NET):
#   1. the GPU tests (tests/Engine.Tests/Gpu, published as a self-hosting NUnit executable)
#   2. Alds.GpuSweep selftest   (GPU curves vs a managed Jacobi reference, factors, solver paths)
#   3. Alds.GpuSweep sweep      (BERT-base block, Llama-7B block, ResNet18 shapes; timings)
#   4. bench/gpu/peer.py        (PyTorch svdvals / eigvalsh on the same groups) + the results table
# Results go to $OUT (what the device tool brings back) and to bench/results/ in the tree it runs in;
# copy $OUT/gpu-<card>.md into bench/results/ here afterwards.
#
# Prepare here:  bash bench/gpu/build.sh
# Run (device tool):  run(command="bash bench/gpu/device.sh", carry=["bench/gpu/publish/bundle.tar.gz"], timeout_s=540)
# Each step has its own time limit so that the whole run ends well inside 540 s; a failed step is
# reported and the next one still runs; the exit status is that of the first failed step.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${OUT:-$root/bench/results/device-run}
mkdir -p "$out" "$root/bench/results"
exec > >(tee -a "$out/device.log") 2>&1

bundle="$root/bench/gpu/publish/bundle.tar.gz"
if [[ ! -f "$bundle" ]]; then
  echo "device.sh: $bundle missing: run bench/gpu/build.sh and carry bench/gpu/publish/bundle.tar.gz" >&2
  exit 1
fi
work=$(mktemp -d /tmp/alds-gpu.XXXXXX)
tar -C "$work" -xzf "$bundle"
app="$work/app"

# CUDA libraries: the toolkit's, then those of PyTorch's wheels (nvidia/*/lib), so the resolver finds CUDA 13.
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || true)
extra=""
for d in /usr/local/cuda/lib64 "$site"/nvidia/cu13/lib "$site"/nvidia/*/lib; do
  [[ -d "$d" ]] && extra="$extra:$d"
done
export LD_LIBRARY_PATH="${extra#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PYTHONUNBUFFERED=1

echo "== device"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

status=0
step() { # step NAME SECONDS COMMAND...
  local name=$1 limit=$2; shift 2
  echo "== $name (limit ${limit}s)"
  local start=$SECONDS
  timeout --signal=KILL "$limit" "$@"
  local rc=$?
  echo "== $name: exit $rc after $((SECONDS - start)) s"
  if (( rc != 0 && status == 0 )); then status=$rc; fi
}

# Microsoft.Testing.Platform runner: --filter takes the VSTest syntax. Exit 8 would mean zero tests ran.
step "gpu tests" 120 "$app/Alds.Engine.Tests" --filter "FullyQualifiedName~Alds.Engine.Tests.Gpu" \
  --results-directory "$work/test-results" --output Detailed --no-ansi --no-progress
step "selftest" 90 "$app/Alds.GpuSweep" selftest
step "sweep" 150 "$app/Alds.GpuSweep" sweep --out "$out" --bert-blocks 1 --llama-blocks 1 \
  --resnet-shapes "$root/bench/gpu/resnet18-shapes.tsv"
if [[ -f "$out/shapes.tsv" ]]; then
  step "pytorch peer" 170 python3 "$root/bench/gpu/peer.py" --shapes "$out/shapes.tsv" --out "$out" \
    --alds "$out/alds-gpu.tsv" --max-seconds 140
fi

cp "$out"/gpu-*.md "$root/bench/results/" 2>/dev/null || true
ls -la "$out"
rm -rf "$work"
exit $status
