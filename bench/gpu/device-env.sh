# Sourced by bench/gpu/device.sh and bench/gpu/device-large.sh on the device machine: unpacks the bundle into
# $work (the executables in $app), puts CUDA 13's libraries on the loader path, logs to $out/device.log, and
# defines `step NAME SECONDS COMMAND...` (a time limit per step; $status keeps the first failed step's exit code).
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

