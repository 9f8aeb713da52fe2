using Alds.Engine.Tensors;

namespace Alds.Engine.Layers;

/// <summary>
/// Finds the compressible layers of a model known only by its tensor list (a safetensors file).
/// </summary>
/// <remarks>
/// Rules: a 4-D float tensor (F16/BF16/F32/F64) <c>[out, in, kh, kw]</c> with <c>in &gt; 1</c> is a Conv2d;
/// a 2-D float tensor <c>[out, in]</c> with both dimensions &gt; 1 is a Linear layer. The layer name is the
/// tensor name minus a trailing <c>.weight</c>; its bias is <c>&lt;name&gt;.bias</c> when that is a 1-D float
/// tensor of length <c>out</c>. Every other tensor is skipped with a reason. Then <see cref="LayerFilter"/>
/// is applied to the layer names (embeddings are excluded by default).
/// A grouped or depthwise convolution cannot be told apart from a dense one by its weight alone
/// (a depthwise conv with <c>in = 1</c> is skipped, but a grouped conv with <c>in/groups &gt; 1</c> is not):
/// callers must exclude those layers by name.
/// Output order is the ordinal order of the tensor names, whatever the input order.
/// </remarks>
internal static class LayerDiscovery
{
    private const string WeightSuffix = ".weight";

    /// <summary>Splits <paramref name="tensors"/> into compressible layers and skipped tensors.</summary>
    public static (IReadOnlyList<LayerSpec> Layers, IReadOnlyList<SkippedTensor> Skipped) Discover(
        IReadOnlyList<TensorEntry> tensors, LayerFilter filter)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(filter);

        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        var byName = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        foreach (var t in sorted)
            if (!byName.TryAdd(t.Name, t))
                throw new ArgumentException($"duplicate tensor name '{t.Name}'", nameof(tensors));

        var layers = new List<LayerSpec>();
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var usedAsBias = new HashSet<string>(StringComparer.Ordinal);
        var layerNames = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var t in sorted)
        {
            string? reason = WeightRejectReason(t);
            if (reason is not null)
            {
                reasons[t.Name] = reason;
                continue;
            }
            string name = LayerName(t.Name);
            if (layerNames.TryGetValue(name, out var other))
            {
                reasons[t.Name] = $"layer name '{name}' already taken by tensor '{other}'";
                continue;
            }
            string? filtered = filter.RejectReason(name);
            if (filtered is not null)
            {
                reasons[t.Name] = filtered;
                continue;
            }
            layerNames[name] = t.Name;

            int outCh = (int)t.Shape[0], inCh = (int)t.Shape[1];
            string? bias = null;
            if (byName.TryGetValue(name + ".bias", out var b) && b.DType.IsComputable()
                && b.Shape.Length == 1 && b.Shape[0] == outCh)
            {
                bias = b.Name;
                usedAsBias.Add(b.Name);
            }
            layers.Add(t.Shape.Length == 4
                ? new LayerSpec(name, LayerKind.Conv, outCh, inCh, (int)t.Shape[2], (int)t.Shape[3], t.Name, bias)
                : new LayerSpec(name, LayerKind.Linear, outCh, inCh, 1, 1, t.Name, bias));
        }

        var skipped = new List<SkippedTensor>();
        foreach (var t in sorted)
        {
            if (!usedAsBias.Contains(t.Name) && reasons.TryGetValue(t.Name, out var r))
                skipped.Add(new SkippedTensor(t.Name, r));
        }
        return (layers, skipped);
    }

    /// <summary>The layer name of a weight tensor: its name minus a trailing <c>.weight</c>.</summary>
    public static string LayerName(string weightTensor) =>
        weightTensor.EndsWith(WeightSuffix, StringComparison.Ordinal) && weightTensor.Length > WeightSuffix.Length
            ? weightTensor[..^WeightSuffix.Length]
            : weightTensor;

    /// <summary>Why a tensor cannot be a layer weight by shape and type alone, or null when it can.</summary>
    internal static string? WeightRejectReason(TensorEntry t)
    {
        if (!t.DType.IsComputable())
            return $"non-float tensor ({t.DType})";
        var s = t.Shape;
        if (s.Length == 0)
            return "scalar";
        if (s.Length == 1)
            return "1-D tensor (bias or norm)";
        if (s.Any(d => d == 0))
            return $"empty tensor {t.ShapeText}";
        if (s.Length == 2)
            return s[0] > 1 && s[1] > 1 ? CheckIntRange(t) : $"2-D tensor {t.ShapeText} with a dimension of 1 (nothing to factor)";
        if (s.Length == 4)
            return s[1] > 1 ? CheckIntRange(t) : $"4-D tensor {t.ShapeText} with in = 1 (depthwise or single-channel conv)";
        return $"{s.Length}-D tensor (not a Conv2d or Linear weight)";
    }

    private static string? CheckIntRange(TensorEntry t) =>
        t.Shape.All(d => d is > 0 and <= int.MaxValue) ? null : $"dimension out of range {t.ShapeText}";
}
