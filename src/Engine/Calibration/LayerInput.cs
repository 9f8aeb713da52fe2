using Alds.Engine.Layers;
using Alds.Engine.Models;
using Onnx;

namespace Alds.Engine.Calibration;

/// <summary>
/// Where a compressible layer's input vectors come from in the graph: the tensor fed to its node, and, for a Conv,
/// the window geometry that cuts it into im2col patches (ONNX <c>pads</c> = [top, left, bottom, right]).
/// </summary>
public sealed record LayerInput(LayerSpec Layer, string Tensor, int StrideH, int StrideW, int PadTop, int PadLeft,
    int PadBottom, int PadRight, int DilationH, int DilationW)
{
    /// <summary>Length of one input vector: <c>in·kh·kw</c> (the scheme-0 fold's columns).</summary>
    public int Order => Layer.In * Layer.Kh * Layer.Kw;

    /// <exception cref="ModelFormatException">A Conv with <c>auto_pad</c> other than NOTSET/VALID, or a 1-D/3-D Conv.</exception>
    public static LayerInput Of(OnnxModelSource source, OnnxLayerBinding binding)
    {
        var node = binding.Node;
        var layer = binding.Layer;
        // MatMul(x, W) and Gemm(x, W) take the activation first; the finder has refused transA.
        string tensor = node.Input[0];
        if (node.OpType != "Conv") return new LayerInput(layer, tensor, 1, 1, 0, 0, 0, 0, 1, 1);
        var autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        if (autoPad is not ("NOTSET" or "VALID" or ""))
            throw new ModelFormatException($"{System.IO.Path.GetFileName(source.Path)}: layer '{layer.Name}': --calibration does not support Conv auto_pad={autoPad}");
        var strides = Ints(node, "strides", [1, 1]);
        var pads = autoPad == "VALID" ? [0, 0, 0, 0] : Ints(node, "pads", [0, 0, 0, 0]);
        var dilations = Ints(node, "dilations", [1, 1]);
        if (strides.Length != 2 || pads.Length != 4 || dilations.Length != 2)
            throw new ModelFormatException($"{System.IO.Path.GetFileName(source.Path)}: layer '{layer.Name}': --calibration needs a 2-D Conv");
        return new LayerInput(layer, tensor, strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dilations[0], dilations[1]);
    }

    private static int[] Ints(NodeProto node, string name, int[] fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a && a.Ints.Count > 0 ? a.Ints.Select(v => checked((int)v)).ToArray() : fallback;

    /// <summary>Output height and width of the Conv for an input of <paramref name="h"/>×<paramref name="w"/>.</summary>
    internal (int h, int w) OutputSize(int h, int w) =>
        ((h + PadTop + PadBottom - DilationH * (Layer.Kh - 1) - 1) / StrideH + 1,
         (w + PadLeft + PadRight - DilationW * (Layer.Kw - 1) - 1) / StrideW + 1);
}
