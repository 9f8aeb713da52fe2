#!/usr/bin/env python3
"""Seeded checkpoints at the shapes users have (issue 12), written as safetensors with numpy only.

  make_shapes.py vgg11 OUT.safetensors     torchvision VGG11's state-dict names and shapes, F32 (132.9 M params),
                                           torchvision's init scales (conv: kaiming fan_out, linear: N(0, 0.01))
  make_shapes.py llama-block OUT.safetensors [--blocks N]
                                           N Llama-7B decoder blocks (q/k/v/o 4096×4096, gate/up 11008×4096,
                                           down 4096×11008, two RMSNorm weights), BF16 (202 M params per block)
Random spectra are fine for time and memory, not for quality.
"""
import argparse, json, struct
import numpy as np

VGG11_CONVS = [(64, 3), (128, 64), (256, 128), (256, 256), (512, 256), (512, 512), (512, 512), (512, 512)]
VGG11_CONV_INDEX = [0, 3, 6, 8, 11, 13, 16, 18]
VGG11_LINEAR = [("classifier.0", 4096, 25088), ("classifier.3", 4096, 4096), ("classifier.6", 1000, 4096)]


def vgg11(rng):
    for index, (out, inp) in zip(VGG11_CONV_INDEX, VGG11_CONVS):
        std = np.sqrt(2.0 / (out * 9))
        yield f"features.{index}.weight", (rng.standard_normal((out, inp, 3, 3), dtype=np.float32) * std)
        yield f"features.{index}.bias", np.zeros(out, np.float32)
    for name, out, inp in VGG11_LINEAR:
        yield f"{name}.weight", rng.standard_normal((out, inp), dtype=np.float32) * np.float32(0.01)
        yield f"{name}.bias", np.zeros(out, np.float32)


def llama(rng, blocks):
    d, f = 4096, 11008
    shapes = [("self_attn.q_proj", d, d), ("self_attn.k_proj", d, d), ("self_attn.v_proj", d, d),
              ("self_attn.o_proj", d, d), ("mlp.gate_proj", f, d), ("mlp.up_proj", f, d), ("mlp.down_proj", d, f)]
    for b in range(blocks):
        yield f"model.layers.{b}.input_layernorm.weight", np.ones(d, np.float32)
        for name, out, inp in shapes:
            yield f"model.layers.{b}.{name}.weight", rng.standard_normal((out, inp), dtype=np.float32) * np.float32(1 / np.sqrt(inp))
        yield f"model.layers.{b}.post_attention_layernorm.weight", np.ones(d, np.float32)


def to_bf16(x):
    bits = x.astype(np.float32).view(np.uint32)
    rounded = bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))  # round to nearest even
    return (rounded >> 16).astype(np.uint16)


def write(path, tensors, dtype):
    items = list(tensors)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    payloads = []
    for name, x in items:
        data = (to_bf16(x) if dtype == "BF16" else x.astype(np.float32)).tobytes()
        header[name] = {"dtype": dtype, "shape": list(x.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        payloads.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for p in payloads:
            f.write(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["vgg11", "llama-block"])
    ap.add_argument("out")
    ap.add_argument("--blocks", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    if a.model == "vgg11":
        write(a.out, vgg11(rng), "F32")
    else:
        write(a.out, llama(rng, a.blocks), "BF16")


if __name__ == "__main__":
    main()
