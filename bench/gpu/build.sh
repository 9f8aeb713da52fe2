#!/usr/bin/env bash
# Builds the bundle that bench/gpu/device.sh runs on the device machine (x86-64, CUDA 13, no .NET):
#   bench/gpu/publish/bundle.tar.gz  ->  app/  one self-contained linux-x64 folder (one copy of the runtime) with
#     Alds.GpuSweep      GPU self-test and the timed sweep (bench/gpu/GpuSweep)
#     Alds.Engine.Tests  the NUnit tests as a Microsoft.Testing.Platform executable (run with --filter)
#     alds               the CLI
# The device tool carries at most 64 MiB, so only the compressed bundle travels; this script fails if it is larger.
# Usage: bash bench/gpu/build.sh        then, with the device tool:
#   run(command="bash bench/gpu/device.sh", carry=["bench/gpu/publish/bundle.tar.gz"], timeout_s=540)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pub="$root/bench/gpu/publish"
limit=$((64 * 1024 * 1024))

rm -rf "$pub"
mkdir -p "$pub/app"
common=(-c Release -r linux-x64 --self-contained true -p:DebugType=none -p:DebugSymbols=false -p:SatelliteResourceLanguages=en)

dotnet publish "$root/bench/gpu/GpuSweep/GpuSweep.csproj" "${common[@]}" -o "$pub/app"
# GpuTests compiles tests/Engine.Tests as a self-hosting executable (NUnit on Microsoft.Testing.Platform),
# so no `dotnet test` is needed where it runs.
dotnet publish "$root/bench/gpu/GpuTests/GpuTests.csproj" "${common[@]}" -o "$pub/app"
dotnet publish "$root/src/Cli/Cli.csproj" "${common[@]}" -o "$pub/app"

# Dead weight on the device, removed to fit the 64 MiB: native assets of other platforms, the Windows
# onnxruntime.dll, ONNX Runtime itself (only `alds eval` uses it), the debugger's libraries, and the
# real ResNet18.onnx (61 MiB alone: the sweep uses its layer shapes, bench/gpu/resnet18-shapes.tsv).
find "$pub/app" -type d -path '*/runtimes/*' ! -path '*/runtimes/linux-x64*' -prune -exec rm -rf {} + 2>/dev/null || true
rm -rf "$pub/app/DnnImageModels" "$pub/app/onnxruntime.dll" "$pub/app"/libonnxruntime*.so \
  "$pub/app/libmscordbi.so" "$pub/app/libmscordaccore.so"

for exe in Alds.GpuSweep Alds.Engine.Tests alds; do
  [[ -x "$pub/app/$exe" ]] || { echo "build.sh: $exe missing from the publish" >&2; exit 1; }
done

tar -C "$pub" -czf "$pub/bundle.tar.gz" app
raw=$(du -sb "$pub/app" | cut -f1)
packed=$(stat -c %s "$pub/bundle.tar.gz")
printf 'publish: %d MiB in app/, bundle.tar.gz %d MiB (limit 64 MiB)\n' $((raw >> 20)) $((packed >> 20))
if (( packed > limit )); then
  echo "build.sh: bundle.tar.gz is $packed bytes, over the device tool's 64 MiB" >&2
  exit 1
fi
