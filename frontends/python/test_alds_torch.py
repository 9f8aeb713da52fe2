"""Tests of alds_torch against an independent numpy factorisation (DESIGN §1, docs/format.md).

Oracle: the factors are made here with numpy (fold per scheme, SVD per channel group, split
the singular values symmetrically, unfold) and the effective weight W_hat is the unfolded
product of the *folded* factors, so it does not share code with the module's unfolding or
with reconstruct_weight. Tolerances: float64 1e-10 relative (norm-wise), float32 1e-5.

Run: cd frontends/python && /usr/bin/python3 -m unittest -v test_alds_torch
"""

import contextlib
import io
import json
import math
import os
import struct
import tempfile
import unittest
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import alds_torch as A

torch.set_num_threads(1)

# ---------------------------------------------------------------------------------------------
# The oracle: folding maps written out element by element (rows (o, dec tap), cols (c, enc tap)).

ENC_AXES = {0: (True, True), 1: (False, True), 2: (True, False), 3: (False, False)}  # (h, w) on encoder?


def kernels(scheme, kh, kw):
    eh, ew = ENC_AXES[scheme]
    enc = (kh if eh else 1, kw if ew else 1)
    dec = (1 if eh else kh, 1 if ew else kw)
    return enc, dec


def fold_maps(scheme, out_c, in_c, kh, kw):
    """Index arrays (rows, cols) with W[o, c, y, x] -> folded[rows[o,c,y,x], cols[o,c,y,x]]."""
    (ekh, ekw), (dkh, dkw) = kernels(scheme, kh, kw)
    o, c, y, x = np.meshgrid(np.arange(out_c), np.arange(in_c), np.arange(kh), np.arange(kw), indexing="ij")
    eh, ew = ENC_AXES[scheme]
    enc_tap = (y if eh else 0) * ekw + (x if ew else 0)
    dec_tap = (0 if eh else y) * dkw + (0 if ew else x)
    return o * (dkh * dkw) + dec_tap, c * (ekh * ekw) + enc_tap, (ekh, ekw), (dkh, dkw)


def factorize(w, scheme, k, j):
    """numpy float64 factors of w [out, in, kh, kw] (or [out, in]).

    Returns (enc, dec, w_hat, sigma_next) with enc/dec in the file layout, w_hat the unfolded
    product of the folded factors, sigma_next[i] = sigma_{j+1}(G_i) (0 at full rank)."""
    linear = w.ndim == 2
    w4 = w[:, :, None, None] if linear else w
    out_c, in_c, kh, kw = w4.shape
    rows, cols, (ekh, ekw), (dkh, dkw) = fold_maps(scheme, out_c, in_c, kh, kw)
    m, n_all = out_c * dkh * dkw, in_c * ekh * ekw
    folded = np.zeros((m, n_all))
    folded[rows, cols] = w4
    n = n_all // k
    enc = np.zeros((k * j, in_c // k, ekh, ekw))
    dec = np.zeros((out_c, k * j, dkh, dkw))
    approx = np.zeros_like(folded)
    sigma_next = []
    for i in range(k):
        g = folded[:, i * n:(i + 1) * n]
        u, s, vt = np.linalg.svd(g, full_matrices=False)
        assert j <= len(s)
        d_i = u[:, :j] * np.sqrt(s[:j])
        e_i = np.sqrt(s[:j])[:, None] * vt[:j]
        approx[:, i * n:(i + 1) * n] = d_i @ e_i
        sigma_next.append(s[j] if j < len(s) else 0.0)
        enc[i * j:(i + 1) * j] = e_i.reshape(j, in_c // k, ekh, ekw)
        dec[:, i * j:(i + 1) * j] = d_i.reshape(out_c, dkh, dkw, j).transpose(0, 3, 1, 2)
    w_hat = approx[rows, cols]
    if linear:
        return enc[:, :, 0, 0], dec[:, :, 0, 0], w_hat[:, :, 0, 0], np.array(sigma_next)
    return enc, dec, w_hat, np.array(sigma_next)


def plan_json(layers):
    return json.dumps({
        "version": 1, "optimizer": "test", "schemes": [0, 1, 2, 3], "error": "max",
        "budget": {"keep": 0.5, "params_before": 0, "params_after": 0},
        "max_rel_error": 0.0, "bottleneck": layers[0]["name"] if layers else "", "layers": layers,
    })


def layer_entry(name, shape, scheme, k, j, compressed=True):
    return {"name": name, "shape": list(shape), "scheme": scheme, "groups": k, "rank": j,
            "params_before": 0, "params_after": 0, "compressed": compressed,
            "rel_error": 0.0, "rel_error_measured": 0.0}


def compress_state(model, choices, dtype):
    """Compressed tensors + metadata of `model` with choices {name: (scheme, k, j)}, plus the
    oracle W_hat per layer (float64 numpy)."""
    sd = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
    entries, w_hats, sigmas = [], {}, {}
    for name, (scheme, k, j) in choices.items():
        w = sd.pop(name + ".weight").double().numpy()
        enc, dec, w_hat, s_next = factorize(w, scheme, k, j)
        sd[name + ".encoding.weight"] = torch.from_numpy(enc).to(dtype)
        sd[name + ".decoding.weight"] = torch.from_numpy(dec).to(dtype)
        if name + ".bias" in sd:
            sd[name + ".decoding.bias"] = sd.pop(name + ".bias")
        entries.append(layer_entry(name, w.shape, scheme, k, j))
        w_hats[name], sigmas[name] = w_hat, s_next
    meta = {"format": "alds", "alds.version": "1", "alds.plan": plan_json(entries)}
    return sd, meta, w_hats, sigmas


def rel(a, b):
    return (torch.linalg.vector_norm((a - b).double()) / torch.linalg.vector_norm(b.double())).item()


class OneConv(nn.Module):
    def __init__(self, conv):
        super().__init__()
        self.block = nn.Sequential(OrderedDict(conv=conv))

    def forward(self, x):
        return self.block(x)


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, stride=2, bias=True)
        self.bn = nn.BatchNorm2d(8)
        self.head = nn.Linear(8 * 4 * 4, 12, bias=True)
        self.out = nn.Linear(12, 6, bias=False)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.out(F.relu(self.head(x.flatten(1))))


# ResNet18-like layers: (out, in, kh, kw, stride, padding, dilation), and the k values to try.
CONV_CASES = [
    ((64, 64, 3, 3, 1, 1, 1), (1, 4)),
    ((128, 64, 3, 3, 2, 1, 1), (1, 8)),
    ((128, 64, 1, 1, 2, 0, 1), (1, 2)),
    ((64, 3, 7, 7, 2, 3, 1), (1, 3)),
    ((16, 12, 5, 3, (1, 2), (4, 1), 2), (1, 3)),
]


class TempDirCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name
        self.addCleanup(self._tmp.cleanup)

    def path(self, name):
        return os.path.join(self.dir, name)


class ConvLayerTests(TempDirCase):
    def test_load_compressed_every_scheme_matches_conv_with_w_hat(self):
        gen = torch.Generator().manual_seed(1)
        for (out_c, in_c, kh, kw, stride, padding, dilation), ks in CONV_CASES:
            for scheme in range(4):
                for k in ks:
                    (ekh, ekw), (dkh, dkw) = kernels(scheme, kh, kw)
                    full = min(out_c * dkh * dkw, (in_c // k) * ekh * ekw)
                    for j in sorted({1, max(1, full // 3)}):
                        for dtype in (torch.float64, torch.float32):
                            with self.subTest(shape=(out_c, in_c, kh, kw), scheme=scheme, k=k, j=j, dtype=dtype):
                                self._check_case(gen, out_c, in_c, kh, kw, stride, padding, dilation,
                                                 scheme, k, j, dtype, bias=(scheme % 2 == 0))

    def _check_case(self, gen, out_c, in_c, kh, kw, stride, padding, dilation, scheme, k, j, dtype, bias):
        conv = nn.Conv2d(in_c, out_c, (kh, kw), stride=stride, padding=padding, dilation=dilation, bias=bias)
        model = OneConv(conv).to(dtype)
        sd, meta, w_hats, _ = compress_state(model, {"block.conv": (scheme, k, j)}, dtype)
        file = self.path("c.safetensors")
        A.write_safetensors(file, sd, meta)
        x = torch.randn(2, in_c, 11, 13, generator=gen, dtype=torch.float64).to(dtype)
        b = conv.bias.detach() if bias else None
        want = F.conv2d(x, torch.from_numpy(w_hats["block.conv"]).to(dtype), b, stride, padding, dilation)

        A.load_compressed(model, file)
        fac = model.block.conv
        self.assertIsInstance(fac, A.Factorized)
        self.assertEqual(fac.encoding.groups, k)
        self.assertEqual(tuple(fac.encoding.weight.shape), (k * j, in_c // k) + kernels(scheme, kh, kw)[0])
        with torch.no_grad():
            got = model(x)
        tol = 1e-10 if dtype == torch.float64 else 1e-5
        self.assertEqual(got.shape, want.shape)
        self.assertLess(rel(got, want), tol)
        rebuilt = A.reconstruct_weight(fac.encoding, fac.decoding, scheme, k)
        self.assertLess(rel(rebuilt, torch.from_numpy(w_hats["block.conv"])), tol)

    def test_full_rank_every_scheme_reproduces_original_conv(self):
        gen = torch.Generator().manual_seed(2)
        for (out_c, in_c, kh, kw, stride, padding, dilation), ks in CONV_CASES:
            for scheme in range(4):
                k = ks[-1]
                (ekh, ekw), (dkh, dkw) = kernels(scheme, kh, kw)
                j = min(out_c * dkh * dkw, (in_c // k) * ekh * ekw)
                with self.subTest(shape=(out_c, in_c, kh, kw), scheme=scheme, k=k, j=j):
                    conv = nn.Conv2d(in_c, out_c, (kh, kw), stride=stride, padding=padding,
                                     dilation=dilation, bias=True).double()
                    model = OneConv(conv)
                    x = torch.randn(1, in_c, 12, 9, generator=gen, dtype=torch.float64)
                    with torch.no_grad():
                        want = model(x)
                    sd, meta, _, sig = compress_state(model, {"block.conv": (scheme, k, j)}, torch.float64)
                    self.assertTrue(np.all(sig["block.conv"] == 0))
                    A.write_safetensors(self.path("f.safetensors"), sd, meta)
                    A.load_compressed(model, self.path("f.safetensors"))
                    with torch.no_grad():
                        got = model(x)
                    self.assertLess(rel(got, want), 1e-10)

    def test_split_conv_kwargs_follows_kernel_axes(self):
        # torchprune's FoldScheme.decompose_kwargs: each axis goes with its kernel taps.
        enc, dec = A.split_conv_kwargs(1, (2, 3), (4, 5), (6, 7))
        self.assertEqual(enc, {"stride": (1, 3), "padding": (0, 5), "dilation": (1, 7)})
        self.assertEqual(dec, {"stride": (2, 1), "padding": (4, 0), "dilation": (6, 1)})
        enc, dec = A.split_conv_kwargs(2, (2, 3), (4, 5), (6, 7))
        self.assertEqual(enc, {"stride": (2, 1), "padding": (4, 0), "dilation": (6, 1)})
        self.assertEqual(dec, {"stride": (1, 3), "padding": (0, 5), "dilation": (1, 7)})
        enc, dec = A.split_conv_kwargs(0, 2, 1, 1)
        self.assertEqual((enc["stride"], dec["stride"], dec["padding"]), ((2, 2), (1, 1), (0, 0)))
        enc, dec = A.split_conv_kwargs(3, 2, 1, 1)
        self.assertEqual((enc["stride"], enc["padding"], dec["stride"], dec["padding"]),
                         ((1, 1), (0, 0), (2, 2), (1, 1)))

    def test_padding_same_and_reflect_every_scheme_matches(self):
        gen = torch.Generator().manual_seed(3)
        for padding, mode in (("same", "zeros"), ((2, 1), "reflect"), ((1, 2), "circular")):
            for scheme in range(4):
                with self.subTest(padding=padding, mode=mode, scheme=scheme):
                    conv = nn.Conv2d(6, 10, (5, 3), padding=padding, padding_mode=mode, bias=False).double()
                    model = OneConv(conv)
                    sd, meta, w_hats, _ = compress_state(model, {"block.conv": (scheme, 2, 2)}, torch.float64)
                    ref = nn.Conv2d(6, 10, (5, 3), padding=padding, padding_mode=mode, bias=False).double()
                    ref.weight.data = torch.from_numpy(w_hats["block.conv"])
                    x = torch.randn(1, 6, 9, 8, generator=gen, dtype=torch.float64)
                    A.write_safetensors(self.path("p.safetensors"), sd, meta)
                    A.load_compressed(model, self.path("p.safetensors"))
                    with torch.no_grad():
                        self.assertLess(rel(model(x), ref(x)), 1e-10)


class ModelTests(TempDirCase):
    def _round_trip(self, choices, dtype):
        torch.manual_seed(4)
        model = Small().to(dtype)
        with torch.no_grad():  # non-trivial BatchNorm buffers
            model.bn.running_mean.uniform_(-1, 1)
            model.bn.running_var.uniform_(0.5, 2)
            model.bn.num_batches_tracked.fill_(7)
        model.eval()
        sd, meta, w_hats, _ = compress_state(model, choices, dtype)
        file = self.path("m.safetensors")
        A.write_safetensors(file, sd, meta)

        ref = Small().to(dtype).eval()
        ref.load_state_dict(model.state_dict())
        with torch.no_grad():
            for name, w_hat in w_hats.items():
                ref.get_submodule(name).weight.copy_(torch.from_numpy(w_hat))

        loaded = Small().to(dtype).eval()
        A.load_compressed(loaded, file)
        x = torch.randn(3, 3, 8, 8, dtype=dtype)
        with torch.no_grad():
            got, want = loaded(x), ref(x)
        self.assertLess(rel(got, want), 1e-10 if dtype == torch.float64 else 1e-5)
        self.assertEqual(loaded.bn.num_batches_tracked.item(), 7)
        return loaded

    def test_load_compressed_conv_and_grouped_linear_matches_model_with_w_hat(self):
        for dtype in (torch.float64, torch.float32):
            with self.subTest(dtype=dtype):
                m = self._round_trip({"conv": (1, 3, 2), "head": (0, 4, 3), "out": (0, 1, 2)}, dtype)
                self.assertIsInstance(m.head.encoding, A.GroupedLinear)
                self.assertIsInstance(m.out.encoding, nn.Linear)
                self.assertIsNone(m.out.decoding.bias)
                self.assertIsNotNone(m.head.decoding.bias)
                self.assertIsInstance(m.bn, nn.BatchNorm2d)

    def test_load_compressed_half_precision_factors_into_float32_model(self):
        # Factors stored as F16/BF16 are copied into the float32 module: error ~ the storage rounding.
        for dtype, tol in ((torch.float16, 2e-3), (torch.bfloat16, 2e-2)):
            with self.subTest(dtype=dtype):
                torch.manual_seed(7)
                model = Small().eval()
                sd, meta, w_hats, _ = compress_state(model, {"conv": (3, 1, 2), "head": (0, 2, 5)}, dtype)
                A.write_safetensors(self.path("h.safetensors"), sd, meta)
                stored, _ = A.read_safetensors(self.path("h.safetensors"))
                self.assertEqual(stored["conv.encoding.weight"].dtype, dtype)
                ref = Small().eval()
                ref.load_state_dict(model.state_dict())
                with torch.no_grad():
                    for name, w_hat in w_hats.items():
                        ref.get_submodule(name).weight.copy_(torch.from_numpy(w_hat))
                A.load_compressed(model, self.path("h.safetensors"))
                self.assertEqual(model.conv.encoding.weight.dtype, torch.float32)
                x = torch.randn(2, 3, 8, 8)
                with torch.no_grad():
                    self.assertLess(rel(model(x), ref(x)), tol)

    def test_load_compressed_no_layer_compressed_loads_like_state_dict(self):
        m = self._round_trip({}, torch.float64)
        self.assertIsInstance(m.conv, nn.Conv2d)

    def test_reconstruct_weight_linear_groups_matches_block_product(self):
        gen = torch.Generator().manual_seed(5)
        e = torch.randn(6, 4, generator=gen, dtype=torch.float64)  # k = 3, j = 2, in = 12
        d = torch.randn(5, 6, generator=gen, dtype=torch.float64)
        w = A.reconstruct_weight(e, d, 0, 3)
        lin = A.GroupedLinear(12, 6, groups=3).double()
        lin.weight.data = e
        x = torch.randn(7, 12, generator=gen, dtype=torch.float64)
        self.assertLess(rel(lin(x) @ d.T, x @ w.T), 1e-12)
        self.assertLess(rel(w[:, 4:8], d[:, 2:4] @ e[2:4]), 1e-15)


class ErrorTests(TempDirCase):
    def _file(self, mutate_meta=None, mutate_sd=None):
        conv = nn.Conv2d(4, 6, 3, padding=1)
        model = OneConv(conv)
        sd, meta, _, _ = compress_state(model, {"block.conv": (0, 2, 2)}, torch.float32)
        if mutate_meta:
            mutate_meta(meta)
        if mutate_sd:
            mutate_sd(sd)
        file = self.path("e.safetensors")
        A.write_safetensors(file, sd, meta)
        return model, file

    def assertOneLineError(self, model, file, *words):
        with self.assertRaises(A.AldsFormatError) as cm:
            A.load_compressed(model, file)
        msg = str(cm.exception)
        self.assertNotIn("\n", msg)
        for w in words:
            self.assertIn(w, msg)
        self.assertIsInstance(model.block.conv, nn.Conv2d)  # left as it was
        return msg

    def test_load_compressed_not_alds_file_raises(self):
        model, file = self._file(lambda m: m.update({"format": "pt"}))
        self.assertOneLineError(model, file, "not an ALDS-compressed file")
        model, file = self._file(lambda m: m.clear())
        self.assertOneLineError(model, file, "not an ALDS-compressed file")

    def test_load_compressed_unknown_scheme_raises(self):
        def bad(meta):
            plan = json.loads(meta["alds.plan"])
            plan["layers"][0]["scheme"] = 4
            meta["alds.plan"] = json.dumps(plan)
        self.assertOneLineError(*self._file(bad), "unknown scheme 4", "block.conv")

    def test_load_compressed_factor_shape_mismatch_raises(self):
        def bad(sd):
            sd["block.conv.encoding.weight"] = sd["block.conv.encoding.weight"][:, :, :2]
        self.assertOneLineError(*self._file(mutate_sd=bad), "block.conv.encoding.weight", "[4, 2, 3, 3]")

    def test_load_compressed_plan_shape_differs_from_module_raises(self):
        def bad(meta):
            plan = json.loads(meta["alds.plan"])
            plan["layers"][0]["shape"] = [6, 4, 5, 5]
            meta["alds.plan"] = json.dumps(plan)
        self.assertOneLineError(*self._file(bad), "[6, 4, 5, 5]", "[6, 4, 3, 3]")

    def test_load_compressed_extra_and_missing_tensors_listed(self):
        def bad(sd):
            sd["stray.weight"] = torch.zeros(2)
        self.assertOneLineError(*self._file(mutate_sd=bad), "unexpected 'stray.weight'")

        def drop_bias(sd):
            del sd["block.conv.decoding.bias"]
        self.assertOneLineError(*self._file(mutate_sd=drop_bias), "block.conv.decoding.bias", "missing")

    def test_load_compressed_unknown_layer_raises(self):
        def bad(meta):
            plan = json.loads(meta["alds.plan"])
            plan["layers"][0]["name"] = "block.nope"
            meta["alds.plan"] = json.dumps(plan)
        self.assertOneLineError(*self._file(bad), "block.nope")


class SafetensorsTests(TempDirCase):
    def _raw(self, header, data, pad=True):
        text = json.dumps(header).encode()
        if pad:
            text += b" " * (-len(text) % 8)
        file = self.path("raw.safetensors")
        with open(file, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + data)
        return file

    def test_read_safetensors_byte_literal_decodes_each_float_dtype(self):
        data = struct.pack("<2d", 1.5, -0.25) + struct.pack("<f", 3.0) + struct.pack("<2H", 0x3F80, 0xC000) \
            + struct.pack("<e", -1.0) + struct.pack("<q", 7)
        file = self._raw({
            "__metadata__": {"format": "alds"},
            "d": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]},
            "f": {"dtype": "F32", "shape": [], "data_offsets": [16, 20]},
            "b": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [20, 24]},
            "h": {"dtype": "F16", "shape": [1], "data_offsets": [24, 26]},
            "e": {"dtype": "F32", "shape": [2, 0], "data_offsets": [26, 26]},
            "i": {"dtype": "I64", "shape": [1], "data_offsets": [26, 34]},
        }, data)
        t, meta = A.read_safetensors(file)
        self.assertEqual(meta, {"format": "alds"})
        self.assertEqual(t["d"].tolist(), [1.5, -0.25])
        self.assertEqual((t["f"].item(), t["f"].shape), (3.0, torch.Size([])))
        self.assertEqual((t["b"].dtype, t["b"].float().tolist()), (torch.bfloat16, [[1.0, -2.0]]))
        self.assertEqual((t["h"].dtype, t["h"].item()), (torch.float16, -1.0))
        self.assertEqual(tuple(t["e"].shape), (2, 0))
        self.assertEqual(t["i"].item(), 7)

    def test_read_safetensors_hostile_files_raise_one_line(self):
        ok = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
        cases = [
            (lambda: self._write_bytes(b"\x01\x02"), "shorter than"),
            (lambda: self._write_bytes(struct.pack("<Q", 10 ** 9) + b"{}"), "exceeds"),
            (lambda: self._write_bytes(struct.pack("<Q", 64) + b"{}"), "runs past"),
            (lambda: self._raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12), "hole"),
            (lambda: self._raw({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8), "bytes for shape"),
            (lambda: self._raw({"a": {"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8), "unknown dtype"),
            (lambda: self._raw({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8), "shape"),
            (lambda: self._raw(ok, b"\0" * 9), "file has"),
            (lambda: self._write_bytes(struct.pack("<Q", 8) + b"[1,2,3] "), "not a JSON object"),
            (lambda: self._write_bytes(struct.pack("<Q", 8) + b'{"a":1 }'), "not an object"),
        ]
        for make, words in cases:
            with self.subTest(words=words):
                with self.assertRaises(A.AldsFormatError) as cm:
                    A.read_safetensors(make())
                self.assertIn(words, str(cm.exception))
                self.assertNotIn("\n", str(cm.exception))

    def _write_bytes(self, b):
        file = self.path("bytes.safetensors")
        with open(file, "wb") as f:
            f.write(b)
        return file

    def test_write_safetensors_reference_order_and_padding(self):
        tensors = {"z": torch.ones(3, dtype=torch.float16), "b": torch.ones(2, dtype=torch.float64),
                   "a": torch.ones(1, dtype=torch.float32), "c": torch.ones(2, dtype=torch.bfloat16)}
        file = self.path("w.safetensors")
        A.write_safetensors(file, tensors, {"k": "v"})
        with open(file, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
        self.assertEqual(n % 8, 0)
        order = sorted((v["data_offsets"][0], k) for k, v in header.items() if k != "__metadata__")
        self.assertEqual([k for _, k in order], ["b", "a", "c", "z"])
        t, meta = A.read_safetensors(file)
        self.assertEqual(meta, {"k": "v"})
        for k, v in tensors.items():
            self.assertTrue(torch.equal(t[k], v) and t[k].dtype == v.dtype, k)
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".tmp")], [])


class VerifyTests(TempDirCase):
    def test_verify_k1_matches_closed_form_and_kgt1_within_bounds(self):
        torch.manual_seed(6)
        model = Small().double()
        choices = {"conv": (2, 1, 2), "head": (0, 4, 3)}
        sd, meta, _, sigmas = compress_state(model, choices, torch.float64)
        A.write_safetensors(self.path("orig.safetensors"), model.state_dict(), None)
        A.write_safetensors(self.path("comp.safetensors"), sd, meta)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = A.main(["verify", self.path("orig.safetensors"), self.path("comp.safetensors")])
        self.assertEqual(rc, 0)
        report = json.loads(out.getvalue())
        got = {e["name"]: e["rel_error_measured_py"] for e in report["layers"]}
        self.assertEqual(report["passthrough_mismatches"], [])
        # k = 1: the residual of the best rank-j approximation is sigma_{j+1} / sigma_1.
        w = model.conv.weight.detach().numpy()
        s = np.linalg.svd(w.transpose(0, 3, 1, 2).reshape(8 * 3, 3 * 3), compute_uv=False)
        self.assertAlmostEqual(got["conv"], s[2] / s[0], places=12)
        # k > 1: max_i sigma_{j+1}(G_i)/sigma_1 <= residual <= sqrt(k) times that.
        s1 = np.linalg.norm(model.head.weight.detach().numpy(), 2)
        bound = sigmas["head"].max() / s1
        self.assertGreaterEqual(got["head"], bound * (1 - 1e-12))
        self.assertLessEqual(got["head"], bound * math.sqrt(4) * (1 + 1e-12))

    def test_main_bad_usage_and_bad_file_exit_codes(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(A.main(["frobnicate"]), 2)
            file = self.path("plain.safetensors")
            A.write_safetensors(file, {"a": torch.zeros(1)}, None)
            self.assertEqual(A.main(["inspect", file]), 1)
        self.assertIn("not an ALDS-compressed file", err.getvalue())


if __name__ == "__main__":
    unittest.main()
