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
source "$(dirname "${BASH_SOURCE[0]}")/device-env.sh"

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
