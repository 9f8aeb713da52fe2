#!/usr/bin/env python3
"""onnx.checker (full_check: with strict shape inference) on each ONNX file given.

ONNX IR < 4 requires every initializer to be a graph input too. The embedded ResNet18 (IR 3) already
breaks that rule for its own weights, so each model is checked twice: as it is, and with the missing
initializers appended to graph.input in memory (nothing is written). A compressed model is sound when it
passes the second check exactly as its original does. Exit 1 when a second check fails, 3 when onnx is missing.
"""
import sys

try:
    import onnx
except ImportError:
    print("onnx_check: the python 'onnx' package is not installed (Debian: apt-get install python3-onnx); skipped")
    sys.exit(3)

failed = 0
for path in sys.argv[1:]:
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
        as_is = "passes"
    except Exception as e:  # the checker raises ValidationError or InferenceError
        as_is = "fails (" + str(e).splitlines()[0][:120] + ")"
    g = model.graph
    listed = {i.name for i in g.input}
    missing = [t for t in g.initializer if t.name not in listed]
    if model.ir_version < 4:
        for t in missing:
            g.input.append(onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    try:
        onnx.checker.check_model(model, full_check=True)
        fixed = "passes"
    except Exception as e:
        fixed = "FAILS (" + str(e).splitlines()[0][:160] + ")"
        failed += 1
    print(f"{path}: onnx {onnx.__version__}, IR {model.ir_version}, opset "
          f"{max(o.version for o in model.opset_import if o.domain in ('', 'ai.onnx'))}; checker as is: {as_is}; "
          f"with the {len(missing) if model.ir_version < 4 else 0} unlisted initializers listed as inputs: {fixed}")
sys.exit(1 if failed else 0)
