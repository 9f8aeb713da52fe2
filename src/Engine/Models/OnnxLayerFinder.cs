using Alds.Engine.Layers;
using Alds.Engine.Tensors;
using Onnx;

namespace Alds.Engine.Models;

/// <summary>
/// Finds compressible layers in an ONNX graph: Conv (group = 1, 4-D weight), Gemm (transA = 0) and MatMul
/// (2-D right operand) whose weight is an initializer used exactly once in the whole model.
/// </summary>
internal static class OnnxLayerFinder
{
    internal sealed record Result(
        IReadOnlyList<OnnxLayerBinding> Bindings,
        IReadOnlySet<string> Claimed,
        IReadOnlyDictionary<string, string> Reasons);

    public static Result Find(GraphProto graph, Func<string, TensorEntry?> initializer, LayerFilter filter)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        CountUses(graph, uses);
        foreach (var output in graph.Output)
            uses[output.Name] = uses.GetValueOrDefault(output.Name) + 1;
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var input in node.Input.Distinct())
                (consumers.TryGetValue(input, out var list) ? list : consumers[input] = []).Add(node);

        var bindings = new List<OnnxLayerBinding>();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);

        foreach (var node in graph.Node)
        {
            if (node.Domain is not ("" or "ai.onnx") || node.OpType is not ("Conv" or "Gemm" or "MatMul"))
                continue;
            if (node.Input.Count < 2 || initializer(node.Input[1]) is not { } w)
                continue;
            if (claimed.Contains(w.Name) || reasons.ContainsKey(w.Name))
                continue;

            string? reason = null;
            LayerSpec? layer = null;
            NodeProto? biasAdd = null;
            int useCount = uses.GetValueOrDefault(w.Name);
            if (!w.DType.IsComputable())
                reason = $"non-float {node.OpType} weight ({w.DType})";
            else if (useCount > 1)
                reason = $"weight shared by {useCount} uses (not compressible)";
            else if (w.Shape.Any(d => d is 0 or > int.MaxValue))
                reason = $"{node.OpType} weight with an empty or huge dimension {w.ShapeText}";
            else if (node.OpType == "Conv")
                layer = Conv(node, w, out reason);
            else if (node.OpType == "Gemm")
                layer = Gemm(node, w, out reason);
            else
                layer = MatMul(node, w, out reason);

            if (layer is not null)
            {
                string? bias = BiasName(node, layer, initializer, uses, consumers, graph, out biasAdd);
                string name = LayerDiscovery.LayerName(w.Name);
                if (!names.Add(name))
                {
                    name = w.Name;
                    names.Add(name);
                }
                layer = layer with { Name = name, BiasTensor = bias };
                reason = filter.RejectReason(name);
            }

            if (reason is not null)
            {
                reasons[w.Name] = reason;
                continue;
            }
            bindings.Add(new OnnxLayerBinding(layer!, node, biasAdd));
            claimed.Add(w.Name);
            if (layer!.BiasTensor is not null)
                claimed.Add(layer.BiasTensor);
        }
        return new Result(bindings, claimed, reasons);
    }

    private static LayerSpec? Conv(NodeProto node, TensorEntry w, out string? reason)
    {
        reason = null;
        long group = IntAttribute(node, "group", 1);
        if (w.Shape.Length != 4)
            reason = $"{w.Shape.Length}-D Conv weight (only 2-D convolutions are compressed)";
        else if (group != 1)
            reason = $"grouped/depthwise conv (group = {group})";
        else if (w.Shape[1] == 1)
            reason = "Conv weight with in = 1 (nothing to factor)";
        if (reason is not null)
            return null;
        var s = w.Shape;
        return new LayerSpec(w.Name, LayerKind.Conv, (int)s[0], (int)s[1], (int)s[2], (int)s[3], w.Name, null);
    }

    private static LayerSpec? Gemm(NodeProto node, TensorEntry w, out string? reason)
    {
        reason = null;
        bool transB = IntAttribute(node, "transB", 0) != 0;
        if (IntAttribute(node, "transA", 0) != 0)
            reason = "Gemm with transA = 1";
        else if (w.Shape.Length != 2)
            reason = $"{w.Shape.Length}-D Gemm weight";
        else if (w.Shape[0] == 1 || w.Shape[1] == 1)
            reason = $"2-D tensor {w.ShapeText} with a dimension of 1 (nothing to factor)";
        if (reason is not null)
            return null;
        return transB
            ? new LayerSpec(w.Name, LayerKind.Linear, (int)w.Shape[0], (int)w.Shape[1], 1, 1, w.Name, null)
            : new LayerSpec(w.Name, LayerKind.Linear, (int)w.Shape[1], (int)w.Shape[0], 1, 1, w.Name, null, WeightLayout.Transposed);
    }

    private static LayerSpec? MatMul(NodeProto node, TensorEntry w, out string? reason)
    {
        reason = null;
        if (w.Shape.Length != 2)
            reason = $"{w.Shape.Length}-D MatMul operand (not a weight matrix)";
        else if (w.Shape[0] == 1 || w.Shape[1] == 1)
            reason = $"2-D tensor {w.ShapeText} with a dimension of 1 (nothing to factor)";
        if (reason is not null)
            return null;
        return new LayerSpec(w.Name, LayerKind.Linear, (int)w.Shape[1], (int)w.Shape[0], 1, 1, w.Name, null, WeightLayout.Transposed);
    }

    /// <summary>The layer's bias initializer: Conv/Gemm 3rd input, or the other input of the single Add after a MatMul.</summary>
    private static string? BiasName(NodeProto node, LayerSpec layer, Func<string, TensorEntry?> initializer,
        Dictionary<string, int> uses, Dictionary<string, List<NodeProto>> consumers, GraphProto graph, out NodeProto? biasAdd)
    {
        biasAdd = null;
        string? candidate = null;
        if (node.OpType is "Conv" or "Gemm")
        {
            if (node.Input.Count > 2 && node.Input[2].Length > 0)
                candidate = node.Input[2];
        }
        else if (node.Output.Count == 1
            && consumers.TryGetValue(node.Output[0], out var next) && next.Count == 1
            && uses.GetValueOrDefault(node.Output[0]) == 1
            && next[0] is { OpType: "Add", Domain: "" or "ai.onnx", Input.Count: 2 } add
            && !graph.Output.Any(o => o.Name == node.Output[0]))
        {
            candidate = add.Input[0] == node.Output[0] ? add.Input[1] : add.Input[0];
            biasAdd = add;
        }
        if (candidate is null || initializer(candidate) is not { } b
            || !b.DType.IsComputable() || b.Shape.Length != 1 || b.Shape[0] != layer.Out
            || uses.GetValueOrDefault(candidate) != 1)
        {
            biasAdd = null;
            return null;
        }
        return candidate;
    }

    private static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    private static void CountUses(GraphProto graph, Dictionary<string, int> uses)
    {
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
                if (input.Length > 0)
                    uses[input] = uses.GetValueOrDefault(input) + 1;
            foreach (var attr in node.Attribute)
            {
                if (attr.G is not null)
                    CountUses(attr.G, uses);
                foreach (var g in attr.Graphs)
                    CountUses(g, uses);
            }
        }
    }
}
