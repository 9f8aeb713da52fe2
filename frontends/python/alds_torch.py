#!/usr/bin/env python3
"""PyTorch front end for ALDS-compressed safetensors files (docs/format.md).

A compressed layer ``X`` (a ``Conv2d`` with groups = 1 or a ``Linear``) is stored as
``X.encoding.weight`` ``[k*j, in/k, encKh, encKw]`` (linear ``[k*j, in/k]``),
``X.decoding.weight`` ``[out, k*j, decKh, decKw]`` (linear ``[out, k*j]``) and
``X.decoding.bias`` when the layer had a bias. ``load_compressed`` swaps each such layer for
``Factorized(encoding, decoding)`` and loads every tensor of the file.

Precision: tensors are loaded in the file's dtype and copied into the module's parameters
(``load_state_dict`` semantics); ``reconstruct_weight`` computes in the factors' dtype;
``verify`` computes in float64.

Self-contained: needs only numpy and torch >= 1.13 (no ``safetensors`` package).
"""

import json
import math
import mmap
import os
import struct
import sys
import tempfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = [
    "AldsFormatError",
    "GroupedLinear",
    "Factorized",
    "read_safetensors",
    "write_safetensors",
    "read_plan",
    "encoder_kernel",
    "decoder_kernel",
    "split_conv_kwargs",
    "reconstruct_weight",
    "load_compressed",
    "verify",
]

FORMAT = "alds"
VERSION = "1"
MAX_HEADER = 100_000_000


class AldsFormatError(ValueError):
    """Bad input: a file, header or plan that does not follow docs/format.md. One-line message."""


# --------------------------------------------------------------------------------------------
# safetensors

# dtype name -> (little-endian numpy dtype, torch dtype, alignment in bytes)
_DTYPES = {
    "BOOL": ("|b1", torch.bool, 1),
    "U8": ("|u1", torch.uint8, 1),
    "I8": ("|i1", torch.int8, 1),
    "I16": ("<i2", torch.int16, 2),
    "F16": ("<f2", torch.float16, 2),
    "BF16": ("<i2", torch.bfloat16, 2),  # raw bits, reinterpreted by torch
    "I32": ("<i4", torch.int32, 4),
    "F32": ("<f4", torch.float32, 4),
    "I64": ("<i8", torch.int64, 8),
    "F64": ("<f8", torch.float64, 8),
}
_BY_TORCH = {t: name for name, (_, t, _) in _DTYPES.items()}
# Every dtype the format defines (bits), so an unsupported-but-valid file gets a precise message.
_KNOWN_BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8,
    "F8_E4M3": 8, "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16,
    "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64,
    "U64": 64,
}


def _fail(path, what):
    raise AldsFormatError(f"{path}: {what}")


def _read_header(path, mm, size):
    (n,) = struct.unpack("<Q", mm[:8])
    if n > MAX_HEADER:
        _fail(path, f"header length {n} exceeds {MAX_HEADER}")
    if 8 + n > size:
        _fail(path, f"header length {n} runs past the end of the {size}-byte file")
    try:
        text = mm[8:8 + n].decode("utf-8")
    except UnicodeDecodeError:
        _fail(path, "header is not UTF-8")

    def no_duplicates(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise AldsFormatError(f"{path}: duplicate header key '{k}'")
            d[k] = v
        return d

    try:
        header = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        _fail(path, f"header is not JSON ({e.msg} at {e.pos})")
    if not isinstance(header, dict):
        _fail(path, "header is not a JSON object")
    return n, header


def _parse_entries(path, n, header, size):
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        _fail(path, "__metadata__ must map strings to strings")
    entries = []
    for name, e in header.items():
        if not isinstance(e, dict):
            _fail(path, f"tensor '{name}': entry is not an object")
        dtype, shape, offs = e.get("dtype"), e.get("shape"), e.get("data_offsets")
        if dtype not in _KNOWN_BITS:
            _fail(path, f"tensor '{name}': unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            _fail(path, f"tensor '{name}': shape {shape!r} is not a list of non-negative integers")
        if not isinstance(offs, list) or len(offs) != 2 or not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in offs):
            _fail(path, f"tensor '{name}': data_offsets {offs!r} is not two non-negative integers")
        entries.append((name, dtype, shape, offs[0], offs[1]))
    start = 0
    for name, dtype, shape, begin, end in sorted(entries, key=lambda t: (t[3], t[4])):
        if begin != start or end < begin:
            _fail(path, f"tensor '{name}': data_offsets [{begin}, {end}] leave a hole or overlap (expected start {start})")
        bits = math.prod(shape) * _KNOWN_BITS[dtype]
        if bits % 8:
            _fail(path, f"tensor '{name}': {dtype} data of {bits} bits is not a whole number of bytes")
        if end - begin != bits // 8:
            _fail(path, f"tensor '{name}': {end - begin} bytes for shape {shape} of {dtype} ({bits // 8} expected)")
        start = end
    if start + 8 + n != size:
        _fail(path, f"data ends at byte {start + 8 + n} but the file has {size} bytes")
    return entries, dict(metadata)


def read_safetensors(path):
    """Reads a safetensors file, enforcing the reference validation rules.

    Returns ``(tensors, metadata)``: an ordered ``dict`` name -> CPU ``torch.Tensor`` (a copy,
    in the file's dtype, in header order) and the ``__metadata__`` dict (empty when absent).
    Raises ``AldsFormatError`` (a ``ValueError``) with one line naming the file and the problem.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            _fail(path, f"file of {size} bytes is shorter than the 8-byte header length")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            n, header = _read_header(path, mm, size)
            entries, metadata = _parse_entries(path, n, header, size)
            tensors = OrderedDict()
            base = 8 + n
            for name, dtype, shape, begin, end in entries:
                if dtype not in _DTYPES:
                    _fail(path, f"tensor '{name}': dtype {dtype} is not supported by this reader")
                np_dtype, t_dtype, _ = _DTYPES[dtype]
                count = math.prod(shape)
                arr = np.frombuffer(mm, dtype=np.dtype(np_dtype), count=count, offset=base + begin).copy()
                t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=False)).reshape(shape)
                if dtype == "BF16":
                    t = t.view(torch.bfloat16)
                tensors[name] = t
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes ``tensors`` (name -> ``torch.Tensor``) and string ``metadata`` as safetensors.

    Reference ordering: data sorted by dtype alignment (descending), then name; offsets
    contiguous from 0; header padded with spaces to a multiple of 8. Written to a sibling
    temporary file, then renamed.
    """
    path = os.fspath(path)
    items = []
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"tensor '{name}' is a {type(t).__name__}, not a torch.Tensor")
        if t.dtype not in _BY_TORCH:
            raise ValueError(f"tensor '{name}': dtype {t.dtype} cannot be written")
        items.append((name, _BY_TORCH[t.dtype], t.detach().cpu().contiguous()))
    items.sort(key=lambda it: (-_DTYPES[it[1]][2], it[0].encode("utf-8")))
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, dtype, t in items:
        if dtype == "BF16":
            t = t.view(torch.int16)
        data = t.numpy().astype(np.dtype(_DTYPES[dtype][0]), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".alds-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for b in blobs:
                f.write(b)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------------------------
# schemes (DESIGN §1)

def encoder_kernel(scheme, kh, kw):
    """Encoder kernel ``(encKh, encKw)`` of scheme 0-3 for a ``kh x kw`` layer."""
    return {0: (kh, kw), 1: (1, kw), 2: (kh, 1), 3: (1, 1)}[_check_scheme(scheme)]


def decoder_kernel(scheme, kh, kw):
    """Decoder kernel ``(decKh, decKw)`` of scheme 0-3 for a ``kh x kw`` layer."""
    return {0: (1, 1), 1: (kh, 1), 2: (1, kw), 3: (kh, kw)}[_check_scheme(scheme)]


def _check_scheme(scheme):
    if isinstance(scheme, bool) or not isinstance(scheme, int) or scheme not in (0, 1, 2, 3):
        raise AldsFormatError(f"unknown scheme {scheme!r} (expected 0, 1, 2 or 3)")
    return scheme


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def split_conv_kwargs(scheme, stride, padding, dilation):
    """Splits a conv's stride/padding/dilation between encoder and decoder.

    Each spatial axis goes, with its kernel taps, to the side that holds it; the other side
    gets stride 1, padding 0, dilation 1 on that axis (scheme 0: all to the encoder; 3: all to
    the decoder; 1: width to the encoder, height to the decoder; 2: the reverse). String
    paddings ('same', 'valid') go to both sides: on a 1-tap axis they pad nothing.
    Returns ``(encoder_kwargs, decoder_kwargs)``.
    """
    # which side holds the (height, width) axis: True = encoder
    enc_h, enc_w = {0: (True, True), 1: (False, True), 2: (True, False), 3: (False, False)}[_check_scheme(scheme)]
    enc, dec = {}, {}
    for key, value, neutral in (("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)):
        if isinstance(value, str):
            enc[key] = dec[key] = value
            continue
        h, w = _pair(value)
        enc[key] = (h if enc_h else neutral, w if enc_w else neutral)
        dec[key] = (neutral if enc_h else h, neutral if enc_w else w)
    return enc, dec


# --------------------------------------------------------------------------------------------
# modules

class GroupedLinear(nn.Module):
    """``Linear`` without bias whose inputs and outputs are split into ``groups`` blocks.

    ``weight``: ``[out_features, in_features / groups]``; output block ``i`` (rows
    ``i*out/groups ...``) sees only input block ``i``. Runs as a grouped ``conv1d``.
    """

    def __init__(self, in_features, out_features, groups=1, device=None, dtype=None):
        super().__init__()
        if in_features % groups or out_features % groups:
            raise ValueError(f"groups={groups} must divide in_features={in_features} and out_features={out_features}")
        self.in_features, self.out_features, self.groups = in_features, out_features, groups
        self.weight = nn.Parameter(torch.empty(out_features, in_features // groups, device=device, dtype=dtype))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x):
        lead = x.shape[:-1]
        y = F.conv1d(x.reshape(-1, self.in_features, 1), self.weight.unsqueeze(-1), groups=self.groups)
        return y.reshape(*lead, self.out_features)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, groups={self.groups}, bias=False"


class Factorized(nn.Sequential):
    """``Sequential(encoding, decoding)`` replacing one compressed layer; ``scheme``,
    ``groups`` and ``rank`` are plain attributes (not in the state dict)."""

    def __init__(self, encoding, decoding, scheme, groups, rank):
        super().__init__(OrderedDict([("encoding", encoding), ("decoding", decoding)]))
        self.scheme, self.groups, self.rank = scheme, groups, rank

    def extra_repr(self):
        return f"scheme={self.scheme}, groups={self.groups}, rank={self.rank}"


def _build_factorized(name, orig, scheme, k, j):
    """Builds the (uninitialised) factorised replacement of ``orig``."""
    w = orig.weight
    kw_ = {"device": w.device, "dtype": w.dtype}
    has_bias = orig.bias is not None
    if isinstance(orig, nn.Linear):
        out_f, in_f = orig.out_features, orig.in_features
        _check_groups(name, in_f, k, j)
        enc = nn.Linear(in_f, j, bias=False, **kw_) if k == 1 else GroupedLinear(in_f, k * j, groups=k, **kw_)
        dec = nn.Linear(k * j, out_f, bias=has_bias, **kw_)
        return Factorized(enc, dec, scheme, k, j)
    out_c, in_c = orig.out_channels, orig.in_channels
    kh, kw = orig.kernel_size
    _check_groups(name, in_c, k, j)
    enc_kw, dec_kw = split_conv_kwargs(scheme, orig.stride, orig.padding, orig.dilation)
    enc = nn.Conv2d(in_c, k * j, encoder_kernel(scheme, kh, kw), groups=k, bias=False,
                    padding_mode=orig.padding_mode, **enc_kw, **kw_)
    dec = nn.Conv2d(k * j, out_c, decoder_kernel(scheme, kh, kw), bias=has_bias,
                    padding_mode=orig.padding_mode, **dec_kw, **kw_)
    return Factorized(enc, dec, scheme, k, j)


def _check_groups(name, in_ch, k, j):
    if isinstance(k, bool) or not isinstance(k, int) or k < 1 or in_ch % k:
        raise AldsFormatError(f"layer '{name}': groups {k!r} does not divide in = {in_ch}")
    if isinstance(j, bool) or not isinstance(j, int) or j < 1:
        raise AldsFormatError(f"layer '{name}': rank {j!r} is not a positive integer")


def reconstruct_weight(encoder, decoder, scheme, groups):
    """The effective weight ``W_hat`` of ``decoder(encoder(x))``.

    ``encoder``/``decoder``: modules with ``.weight`` or the weight tensors themselves, shaped
    per docs/format.md. Conv: ``W_hat[o, c, y, x] = sum_r D[o, i*j+r, y_d, x_d] E[i*j+r, c', y_e, x_e]``
    over the group ``i`` of input channel ``c`` (``c = i*in/k + c'``), where each kernel axis is
    taken from the side that holds it. Returns ``[out, in, kh, kw]`` (linear ``[out, in]``)
    in the factors' dtype.
    """
    e = encoder.weight if isinstance(encoder, nn.Module) else encoder
    d = decoder.weight if isinstance(decoder, nn.Module) else decoder
    e, d = e.detach(), d.detach()
    k = groups
    _check_scheme(scheme)
    if e.dim() != d.dim() or e.dim() not in (2, 4):
        raise AldsFormatError(f"encoder {list(e.shape)} and decoder {list(d.shape)} must both be 2-D or 4-D")
    if e.shape[0] % k or d.shape[1] != e.shape[0]:
        raise AldsFormatError(
            f"encoder {list(e.shape)} / decoder {list(d.shape)} do not fit {k} groups of equal rank")
    j = e.shape[0] // k
    blocks = []
    for i in range(k):
        ei, di = e[i * j:(i + 1) * j], d[:, i * j:(i + 1) * j]
        if e.dim() == 2:
            blocks.append(di @ ei)
        else:
            if (e.shape[2] > 1 and d.shape[2] > 1) or (e.shape[3] > 1 and d.shape[3] > 1):
                raise AldsFormatError(
                    f"encoder {list(e.shape)} / decoder {list(d.shape)}: a kernel axis is split between both sides")
            # [out, c', decKh, encKh, decKw, encKw]; one of each pair is 1
            w = torch.einsum("orab,rcde->ocadbe", di, ei)
            blocks.append(w.reshape(d.shape[0], e.shape[1], d.shape[2] * e.shape[2], d.shape[3] * e.shape[3]))
    return torch.cat(blocks, dim=1)


# --------------------------------------------------------------------------------------------
# loading

def read_plan(metadata, path="<metadata>"):
    """Parses and checks the ``alds.plan`` JSON of a compressed file's ``__metadata__``."""
    fmt = metadata.get("format")
    if fmt != FORMAT:
        _fail(path, f"not an ALDS-compressed file (__metadata__ format is {fmt!r}, expected 'alds')")
    ver = metadata.get("alds.version")
    if ver != VERSION:
        _fail(path, f"unsupported alds.version {ver!r} (this reader knows '{VERSION}')")
    try:
        plan = json.loads(metadata.get("alds.plan", ""))
    except json.JSONDecodeError as e:
        _fail(path, f"alds.plan is not JSON ({e.msg} at {e.pos})")
    if not isinstance(plan, dict) or not isinstance(plan.get("layers"), list):
        _fail(path, "alds.plan has no 'layers' list")
    seen = set()
    for i, layer in enumerate(plan["layers"]):
        if not isinstance(layer, dict) or not isinstance(layer.get("name"), str):
            _fail(path, f"alds.plan layer #{i} has no string 'name'")
        name = layer["name"]
        if name in seen:
            _fail(path, f"alds.plan names layer '{name}' twice")
        seen.add(name)
        shape = layer.get("shape")
        if not isinstance(shape, list) or len(shape) not in (2, 4) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in shape):
            _fail(path, f"layer '{name}': shape {shape!r} is not [out,in,kh,kw] or [out,in]")
        if not isinstance(layer.get("compressed"), bool):
            _fail(path, f"layer '{name}': 'compressed' must be true or false")
        if layer["compressed"]:
            try:
                _check_scheme(layer.get("scheme"))
            except AldsFormatError as e:
                _fail(path, f"layer '{name}': {e}")
            for key in ("groups", "rank"):
                v = layer.get(key)
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    _fail(path, f"layer '{name}': {key} {v!r} is not a positive integer")
            if shape[1] % layer["groups"]:
                _fail(path, f"layer '{name}': groups {layer['groups']} does not divide in = {shape[1]}")
    return plan


def _layer_dims(layer):
    s = layer["shape"]
    return (s[0], s[1], 1, 1) if len(s) == 2 else tuple(s)


def _expected_factor_shapes(layer):
    out_c, in_c, kh, kw = _layer_dims(layer)
    s, k, j = layer["scheme"], layer["groups"], layer["rank"]
    if len(layer["shape"]) == 2:
        return [k * j, in_c // k], [out_c, k * j]
    return [k * j, in_c // k, *encoder_kernel(s, kh, kw)], [out_c, k * j, *decoder_kernel(s, kh, kw)]


def load_compressed(module, path):
    """Rebuilds every compressed layer of ``module`` from the ALDS file at ``path`` and loads
    all of its tensors. Returns ``module`` (changed in place).

    Each compressed plan layer names a ``Conv2d`` (groups = 1) or ``Linear`` submodule by its
    module path; it becomes ``Factorized(encoding, decoding)`` in the original's dtype and
    device, stride/padding/dilation split per scheme. Then the file's tensors are loaded with
    ``load_state_dict(strict=True)`` semantics. Any mismatch raises ``AldsFormatError`` with
    one line, and ``module`` is left as it was.
    """
    path = os.fspath(path)
    tensors, metadata = read_safetensors(path)
    plan = read_plan(metadata, path)

    replacements = []
    for layer in plan["layers"]:
        if not layer["compressed"]:
            continue
        name = layer["name"]
        try:
            orig = module.get_submodule(name)
        except AttributeError:
            _fail(path, f"layer '{name}' of the plan is not a submodule of {type(module).__name__}")
        if isinstance(orig, nn.Linear):
            dims = [orig.out_features, orig.in_features]
        elif isinstance(orig, nn.Conv2d):
            if orig.groups != 1:
                _fail(path, f"layer '{name}': Conv2d has groups={orig.groups}; only groups=1 layers can be compressed")
            dims = [orig.out_channels, orig.in_channels, *orig.kernel_size]
        else:
            _fail(path, f"layer '{name}' is a {type(orig).__name__}, not a Conv2d or Linear")
        if dims != layer["shape"]:
            _fail(path, f"layer '{name}': plan shape {layer['shape']} differs from the module's {dims}")
        enc_shape, dec_shape = _expected_factor_shapes(layer)
        for suffix, want in ((".encoding.weight", enc_shape), (".decoding.weight", dec_shape)):
            t = tensors.get(name + suffix)
            if t is None:
                _fail(path, f"tensor '{name}{suffix}' is missing")
            if list(t.shape) != want:
                _fail(path, f"tensor '{name}{suffix}' has shape {list(t.shape)}, expected {want} "
                            f"(scheme {layer['scheme']}, groups {layer['groups']}, rank {layer['rank']})")
        has_bias = orig.bias is not None
        if (name + ".decoding.bias" in tensors) != has_bias:
            _fail(path, f"tensor '{name}.decoding.bias' is {'missing' if has_bias else 'present'} "
                        f"but the module's layer has {'a' if has_bias else 'no'} bias")
        new = _build_factorized(name, orig, layer["scheme"], layer["groups"], layer["rank"])
        replacements.append((name, orig, new))

    def install(pairs):
        for name, mod in pairs:
            parent_name, _, attr = name.rpartition(".")
            parent = module.get_submodule(parent_name) if parent_name else module
            setattr(parent, attr, mod)

    install([(n, new) for n, _, new in replacements])
    try:
        expected = module.state_dict()
        missing = [k for k in expected if k not in tensors]
        unexpected = [k for k in tensors if k not in expected]
        if missing or unexpected:
            _fail(path, "tensors do not match the module: missing " + _names(missing)
                  + "; unexpected " + _names(unexpected))
        for k, v in expected.items():
            if tuple(v.shape) != tuple(tensors[k].shape):
                _fail(path, f"tensor '{k}' has shape {list(tensors[k].shape)}, the module expects {list(v.shape)}")
            if tensors[k].is_floating_point() != v.is_floating_point():
                _fail(path, f"tensor '{k}' is {tensors[k].dtype}, the module holds {v.dtype}")
        module.load_state_dict(tensors, strict=True)
    except BaseException:
        install([(n, orig) for n, orig, _ in replacements])
        raise
    return module


def _names(names, limit=8):
    if not names:
        return "none"
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --------------------------------------------------------------------------------------------
# verification (float64, numpy)

def fold(weight, scheme):
    """Folded matrix of scheme ``s`` of a ``[out, in, kh, kw]`` (or ``[out, in]``) numpy array:
    rows ``(o, decoder tap)``, columns ``(c, encoder tap)``, input channel outermost."""
    w = weight if weight.ndim == 4 else weight[:, :, None, None]
    o, c, h, wd = w.shape
    if scheme == 0:
        return w.reshape(o, c * h * wd)
    if scheme == 1:
        return w.transpose(0, 2, 1, 3).reshape(o * h, c * wd)
    if scheme == 2:
        return w.transpose(0, 3, 1, 2).reshape(o * wd, c * h)
    if scheme == 3:
        return w.transpose(0, 2, 3, 1).reshape(o * h * wd, c)
    raise AldsFormatError(f"unknown scheme {scheme!r} (expected 0, 1, 2 or 3)")


def verify(original_path, compressed_path):
    """For every compressed layer, rebuilds ``W_hat`` from the factors (float64) and measures
    ``||F_s(W) - F_s(W_hat)||_2 / ||F_s(W)||_2`` with numpy's SVD. Also checks that the
    pass-through tensors are bit-identical. Returns a JSON-ready dict."""
    orig, _ = read_safetensors(original_path)
    comp, meta = read_safetensors(compressed_path)
    plan = read_plan(meta, os.fspath(compressed_path))
    layers, removed = [], set()
    for layer in plan["layers"]:
        if not layer["compressed"]:
            continue
        name = layer["name"]
        wname = name + ".weight" if name + ".weight" in orig else name
        if wname not in orig:
            _fail(original_path, f"no weight tensor '{name}.weight' or '{name}' for layer '{name}'")
        removed.add(wname)
        if name + ".bias" in orig:
            removed.add(name + ".bias")
        w = orig[wname].double().numpy()
        shape = list(layer["shape"])
        if list(w.shape) != shape:
            if w.ndim == 2 and list(w.shape[::-1]) == shape:
                w = w.T  # [in, out] (ONNX MatMul layout)
            else:
                _fail(original_path, f"tensor '{wname}' has shape {list(w.shape)}, the plan says {shape}")
        enc_shape, dec_shape = _expected_factor_shapes(layer)
        for suffix, want in ((".encoding.weight", enc_shape), (".decoding.weight", dec_shape)):
            t = comp.get(name + suffix)
            if t is None or list(t.shape) != want:
                got = "missing" if t is None else f"shape {list(t.shape)}"
                _fail(compressed_path, f"tensor '{name}{suffix}' is {got}, expected {want}")
        w_hat = reconstruct_weight(comp[name + ".encoding.weight"].double(),
                                   comp[name + ".decoding.weight"].double(),
                                   layer["scheme"], layer["groups"]).numpy()
        fw = fold(w, layer["scheme"])
        norm = np.linalg.norm(fw, 2)
        rel = float(np.linalg.norm(fw - fold(w_hat, layer["scheme"]), 2) / norm) if norm > 0 else 0.0
        entry = {"name": name, "scheme": layer["scheme"], "groups": layer["groups"], "rank": layer["rank"],
                 "rel_error_measured_py": rel}
        if "rel_error_measured" in layer:
            entry["rel_error_measured"] = layer["rel_error_measured"]
        bias = orig.get(name + ".bias")
        if bias is not None:
            dbias = comp.get(name + ".decoding.bias")
            entry["bias_equal"] = dbias is not None and _same(bias, dbias)
        layers.append(entry)
    mismatched = sorted(n for n, t in orig.items() if n not in removed and (n not in comp or not _same(t, comp[n])))
    return {
        "layers": layers,
        "max_rel_error_measured_py": max((e["rel_error_measured_py"] for e in layers), default=0.0),
        "passthrough_mismatches": mismatched,
    }


def _same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)


def main(argv=None):
    """CLI: ``verify ORIGINAL.safetensors COMPRESSED.safetensors`` prints JSON; ``inspect
    COMPRESSED.safetensors`` prints the plan. Exit 0 on success, 1 on bad input, 2 on bad usage."""
    argv = sys.argv[1:] if argv is None else argv
    usage = ("usage: alds_torch.py verify ORIGINAL.safetensors COMPRESSED.safetensors\n"
             "       alds_torch.py inspect COMPRESSED.safetensors")
    try:
        if len(argv) == 3 and argv[0] == "verify":
            print(json.dumps(verify(argv[1], argv[2]), indent=1))
            return 0
        if len(argv) == 2 and argv[0] == "inspect":
            _, meta = read_safetensors(argv[1])
            print(json.dumps(read_plan(meta, argv[1]), indent=1))
            return 0
    except (AldsFormatError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
