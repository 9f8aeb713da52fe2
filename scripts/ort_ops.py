#!/usr/bin/env python3
"""Counts the operators of graphs that ONNX Runtime wrote after its optimisations (alds-experiment ortopt).

The NCHWc kernels (com.microsoft.nchwc Conv) are ONNX Runtime's fast blocked-layout convolutions on x86;
a convolution left as a plain ai.onnx Conv runs the generic im2col path, and each switch between the two
layouts costs a ReorderInput/ReorderOutput copy. Prints one line per file: NAME nchwc_conv plain_conv reorders.
"""
import collections
import sys

import onnx

for path in sys.argv[1:]:
    ops = collections.Counter((n.domain or "ai.onnx") + ":" + n.op_type for n in onnx.load(path).graph.node)
    nchwc = ops["com.microsoft.nchwc:Conv"]
    plain = ops["ai.onnx:Conv"] + ops["com.microsoft:FusedConv"]
    reorders = ops["com.microsoft.nchwc:ReorderInput"] + ops["com.microsoft.nchwc:ReorderOutput"]
    print(f"{path.split('/')[-1].removesuffix('.opt.onnx')} {nchwc} {plain} {reorders}")
