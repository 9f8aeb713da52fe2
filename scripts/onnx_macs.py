#!/usr/bin/env python3
"""Multiply-adds of every Conv of an ONNX model, from onnx's own shape inference (an oracle independent of alds).

usage: onnx_macs.py MODEL.onnx   -> JSON {"total": N, "convs": {weight_name: macs}}
A Conv costs N*Hout*Wout * out * (in/group) * kh * kw (the weight's element count times the output positions).
Exit 3 when python3 cannot import onnx.
"""
import json
import sys

try:
    import onnx
    from onnx import shape_inference
except ImportError:
    sys.exit(3)


def main(path):
    model = onnx.load(path)
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        shapes[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]
    weights = {t.name: list(t.dims) for t in model.graph.initializer}
    convs = {}
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        out = shapes.get(node.output[0])
        w = weights[node.input[1]]
        if not out or len(out) != 4 or min(out) <= 0:
            raise SystemExit(f"no inferred shape for {node.output[0]}")
        macs = out[0] * out[2] * out[3]
        for d in w:
            macs *= d
        convs[node.input[1]] = macs
    print(json.dumps({"total": sum(convs.values()), "convs": convs}))


if __name__ == "__main__":
    main(sys.argv[1])
