#!/usr/bin/env bash
# Issue 12's large checkpoints on the device machine, one call (needs numpy in python3; PyTorch for the peer):
#   1. seeded VGG11 (F32, 531 MB) and Llama-7B-block (BF16, 405 MB) checkpoints, bench/large/make_shapes.py
#   2. for each: `alds compress --keep 0.5 --max-groups 8` with --device cuda and then --device cpu (the peer, same
#      machine, all its cores), wall and peak RSS of each; then `alds analyze --max-groups 1 --device cuda` (k = 1 spectra)
#   3. bench/peers/block_spectra_peers.py --device cuda on the same shapes: torch Gram (float64) + eigvalsh and
#      torch.linalg.svdvals (float32) on the GPU, numpy Gram + eigvalsh on the CPU
# With --device cuda the sweep runs on the GPU (Gram by cuBLAS, eigenvalues by cuSOLVER); the factorisation of the
# chosen plan runs on the CPU (the engine has no GPU factorisation path in production).
# Results: $OUT/large.log (what the device tool brings back).
#
# Prepare here:  bash bench/gpu/build.sh
# Run (device tool):  run(command="bash bench/gpu/device-large.sh", carry=["bench/gpu/publish/bundle.tar.gz"], timeout_s=540)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/device-env.sh"
exec > >(tee -a "$out/large.log") 2>&1

# Wall time and peak RSS of one command (GNU time is not always installed on the device).
measured() {
  python3 -c 'import resource, subprocess, sys, time
t = time.perf_counter(); rc = subprocess.call(sys.argv[1:])
print(f"measured: wall {time.perf_counter() - t:.1f} s, peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB, exit {rc}")
sys.exit(rc)' "$@"
}

echo "== host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
for model in vgg11 llama-block; do
  ckpt="$work/$model.safetensors"
  step "make $model" 60 python3 "$root/bench/large/make_shapes.py" "$model" "$ckpt"
  [[ -f "$ckpt" ]] || continue
  for device in cuda cpu; do
    step "$model compress --device $device" 110 measured "$app/alds" compress "$ckpt" --keep 0.5 --max-groups 8 \
      --device "$device" -o "$work/$model-$device.safetensors"
  done
  step "$model analyze --max-groups 1 --device cuda" 40 measured bash -c '"$0" analyze "$1" --max-groups 1 --device cuda --json > "$2"' \
    "$app/alds" "$ckpt" "$work/$model-k1.json"
  rm -f "$ckpt" "$work/$model"-*.safetensors
done
step "torch/numpy peers, Llama block shapes" 60 python3 "$root/bench/peers/block_spectra_peers.py" --device cuda \
  4096x4096 4096x4096 4096x4096 4096x4096 11008x4096 11008x4096 4096x11008
step "torch/numpy peers, VGG11 classifier" 40 python3 "$root/bench/peers/block_spectra_peers.py" --device cuda \
  4096x25088 4096x4096 1000x4096

ls -la "$out"
rm -rf "$work"
exit $status
