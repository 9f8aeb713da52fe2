#!/usr/bin/env python3
"""Transformer module trees with Hugging Face checkpoint names, built from torch.nn only (Debian has no
``transformers`` package), for the end-to-end test of Hugging Face checkpoints (tests/Engine.Tests/Frontends).

    hf_modules.py make DIR     writes DIR/bert/{model.safetensors,config.json} (BERT-like: attention.self.query/key/value,
                               attention.output.dense, intermediate.dense, output.dense, pooler.dense) and
                               DIR/llama/{model.safetensors,config.json} (Llama-like: q_proj ... down_proj, lm_head tied
                               to model.embed_tokens), seeded random weights.
    hf_modules.py check DIR    for each, after ``alds compress DIR/X/model.safetensors -o DIR/X/out.safetensors``:
                               load_compressed() into a fresh module tree, then compare its forward pass with the same
                               tree whose compressed weights are replaced by W_hat = D_g E_g per group, computed here in
                               numpy float64 from the file's factors (not with alds_torch). Prints one line per model;
                               exit 1 on a mismatch, or when a tied lm_head was factorised.

Tolerance: float32 forward passes of the same weights in another association order, 1e-5 relative (norm-wise).
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import alds_torch as A

torch.set_num_threads(1)
VOCAB, HIDDEN, HEADS, FFN, LAYERS, POSITIONS = 96, 64, 4, 128, 2, 32


def attention(q, k, v, heads):
    b, s, h = q.shape
    split = lambda t: t.view(b, s, heads, h // heads).transpose(1, 2)
    w = torch.softmax(split(q) @ split(k).transpose(-1, -2) / math.sqrt(h // heads), dim=-1)
    return (w @ split(v)).transpose(1, 2).reshape(b, s, h)


# ---- BERT-like (BertModel's module names) -------------------------------------------------------

class BertSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)


class BertSelfOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense, self.LayerNorm = nn.Linear(HIDDEN, HIDDEN), nn.LayerNorm(HIDDEN)


class BertAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self, self.output = BertSelfAttention(), BertSelfOutput()

    def forward(self, x):
        a = attention(self.self.query(x), self.self.key(x), self.self.value(x), HEADS)
        return self.output.LayerNorm(self.output.dense(a) + x)


class BertIntermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, FFN)


class BertOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense, self.LayerNorm = nn.Linear(FFN, HIDDEN), nn.LayerNorm(HIDDEN)


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention, self.intermediate, self.output = BertAttention(), BertIntermediate(), BertOutput()

    def forward(self, x):
        a = self.attention(x)
        return self.output.LayerNorm(self.output.dense(F.gelu(self.intermediate.dense(a))) + a)


class BertEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN)
        self.position_embeddings = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(2, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN)


class BertEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer() for _ in range(LAYERS)])


class BertPooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)


class BertModel(nn.Module):
    config = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": HIDDEN, "num_hidden_layers": LAYERS,
              "num_attention_heads": HEADS, "intermediate_size": FFN, "vocab_size": VOCAB}

    def __init__(self):
        super().__init__()
        self.embeddings, self.encoder, self.pooler = BertEmbeddings(), BertEncoder(), BertPooler()

    def forward(self, ids):
        e = self.embeddings
        x = e.LayerNorm(e.word_embeddings(ids) + e.position_embeddings(torch.arange(ids.shape[1]))
                        + e.token_type_embeddings(torch.zeros_like(ids)))
        for layer in self.encoder.layer:
            x = layer(x)
        return torch.cat([x.flatten(1), torch.tanh(self.pooler.dense(x[:, 0]))], dim=1)


# ---- Llama-like (LlamaForCausalLM's module names) -----------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(HIDDEN))

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)


class LlamaAttention(nn.Module):
    def __init__(self):
        super().__init__()
        for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(self, n, nn.Linear(HIDDEN, HIDDEN, bias=False))

    def forward(self, x):
        return self.o_proj(attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), HEADS))


class LlamaMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate_proj, self.up_proj = nn.Linear(HIDDEN, FFN, bias=False), nn.Linear(HIDDEN, FFN, bias=False)
        self.down_proj = nn.Linear(FFN, HIDDEN, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn, self.mlp = LlamaAttention(), LlamaMLP()
        self.input_layernorm, self.post_attention_layernorm = RMSNorm(), RMSNorm()

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaInner(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, HIDDEN)
        self.layers = nn.ModuleList([LlamaDecoderLayer() for _ in range(LAYERS)])
        self.norm = RMSNorm()


class LlamaForCausalLM(nn.Module):
    config = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": HIDDEN, "num_hidden_layers": LAYERS,
              "num_attention_heads": HEADS, "intermediate_size": FFN, "vocab_size": VOCAB, "tie_word_embeddings": True}

    def __init__(self):
        super().__init__()
        self.model = LlamaInner()
        self.lm_head = nn.Linear(HIDDEN, VOCAB, bias=False)
        self.lm_head.weight = self.model.embed_tokens.weight  # tied

    def forward(self, ids):
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x)
        return self.lm_head(self.model.norm(x))


MODELS = {"bert": BertModel, "llama": LlamaForCausalLM}


def build(name, seed):
    torch.manual_seed(seed)
    m = MODELS[name]()
    with torch.no_grad():  # LayerNorm/RMSNorm weights away from 1, so that a wrong mapping shows
        for n, p in m.named_parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
    return m.eval()


def make(root):
    for seed, name in enumerate(MODELS):
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        m = build(name, seed + 1)
        A.write_safetensors(os.path.join(folder, "model.safetensors"), {k: v.clone() for k, v in m.state_dict().items()})
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(m.config, f)
        print(f"wrote {folder}")


def w_hat(enc, dec, k):
    """numpy float64: Ŵ[:, g·n:(g+1)·n] = D[:, g·j:(g+1)·j] @ E[g·j:(g+1)·j, :] (E = [k·j, in/k], D = [out, k·j])."""
    j = enc.shape[0] // k
    return np.concatenate([dec[:, g * j:(g + 1) * j] @ enc[g * j:(g + 1) * j] for g in range(k)], axis=1)


def check(root):
    failed = 0
    ids = torch.randint(0, VOCAB, (3, 16), generator=torch.Generator().manual_seed(5))
    for seed, name in enumerate(MODELS):
        folder = os.path.join(root, name)
        original, _ = A.read_safetensors(os.path.join(folder, "model.safetensors"))
        factors, metadata = A.read_safetensors(os.path.join(folder, "out.safetensors"))
        plan = json.loads(metadata["alds.plan"])
        compressed = [l for l in plan["layers"] if l["compressed"]]

        reference = build(name, seed + 1)
        reference.load_state_dict(original)
        with torch.no_grad():
            for l in compressed:
                e = factors[l["name"] + ".encoding.weight"].double().numpy()
                d = factors[l["name"] + ".decoding.weight"].double().numpy()
                reference.get_submodule(l["name"]).weight.copy_(torch.from_numpy(w_hat(e, d, l["groups"])).float())
        model = A.load_compressed(build(name, 99), os.path.join(folder, "out.safetensors"))
        with torch.no_grad():
            y, y_ref = model(ids), reference(ids)
        err = float((y - y_ref).norm() / y_ref.norm())
        roles = sorted({l.get("role", "?").split(",")[0] for l in compressed})
        tied = [l["name"] for l in plan["layers"] if l["name"] == "lm_head"]
        ok = err < 1e-5 and not tied and len(compressed) > 0 and "?" not in roles
        grouped = sum(1 for l in compressed if l["groups"] > 1)
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(compressed)} layers compressed ({grouped} grouped), roles {roles}, "
              f"lm_head in plan: {bool(tied)}, forward vs W_hat rel err {err:.2e}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "check"):
        print("usage: hf_modules.py make|check DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(make(sys.argv[2]) if sys.argv[1] == "make" else check(sys.argv[2]))
