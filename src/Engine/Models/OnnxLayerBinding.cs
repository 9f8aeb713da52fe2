using Alds.Engine.Layers;
using Onnx;

namespace Alds.Engine.Models;

/// <summary>
/// A compressible layer of an ONNX graph and the nodes that compute it: the Conv, Gemm or MatMul
/// <paramref name="Node"/>, and for a MatMul whose bias is added by a following node, that Add node.
/// </summary>
public sealed record OnnxLayerBinding(LayerSpec Layer, NodeProto Node, NodeProto? BiasAdd = null);
