"""Independent oracle for OnnxModelSourceResNet18Tests: a protobuf wire walker (no onnx, no protobuf package).

Usage: python3 onnx_golden.py ResNet18.onnx               -> every initializer: name, data_type, dims, data bytes
       python3 onnx_golden.py ResNet18.onnx NAME INDEX    -> NAME dims count first4 last sum_of_squares value[INDEX]
ModelProto.graph = field 7; GraphProto.initializer = 5, node = 1; TensorProto dims = 1, data_type = 2,
float_data = 4, name = 8, raw_data = 9.
"""
import sys, struct, numpy as np
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i); f, w = key >> 3, key & 7
        if w == 0: v, i = varint(b, i)
        elif w == 1: v = b[i:i+8]; i += 8
        elif w == 5: v = b[i:i+4]; i += 4
        elif w == 2:
            n, i = varint(b, i); v = b[i:i+n]; i += n
        else: raise ValueError(w)
        yield f, w, v
data = open(sys.argv[1], 'rb').read()
graph = [v for f, w, v in fields(data) if f == 7][0]
ops = {}
for f, w, v in fields(graph):
    if f == 1:
        op = [x for ff, ww, x in fields(v) if ff == 4][0].decode()
        ops[op] = ops.get(op, 0) + 1
    if f == 5:
        dims = []; name = None; raw = None; dt = None
        for ff, ww, x in fields(v):
            if ff == 1:
                if ww == 0: dims.append(x)
                else:
                    j = 0
                    while j < len(x): d, j = varint(x, j); dims.append(d)
            elif ff == 2: dt = x
            elif ff == 8: name = x.decode()
            elif ff == 9: raw = x
            elif ff == 4 and ww == 2: raw = (raw or b'') + x
            elif ff == 4 and ww == 5: raw = (raw or b'') + x
        if len(sys.argv) > 2 and name == sys.argv[2]:
            a = np.frombuffer(raw, dtype='<f4').astype(np.float64)
            print(name, dims, a.size, repr(a[:4].tolist()), repr(a[-1]), repr(float(np.sum(a*a))), repr(float(a[int(sys.argv[3])])))
        elif len(sys.argv) == 2:
            print(name, dt, dims, None if raw is None else len(raw))
print(ops)
