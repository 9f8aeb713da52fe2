using Alds.Engine.Layers;

namespace Alds.Engine.Analysis;

/// <summary>The candidate group counts of a layer (DESIGN §1, issue 3).</summary>
internal static class GroupCounts
{
    /// <summary>
    /// Every divisor <c>k</c> of <c>in</c> (at most <paramref name="maxGroups"/>) for which rank 1 is smaller
    /// than the original layer under <paramref name="scheme"/>.
    /// </summary>
    public static IReadOnlyList<int> Candidates(LayerSpec layer, int scheme, int maxGroups = int.MaxValue)
    {
        var result = new List<int>();
        for (int k = 1; k <= layer.In && k <= maxGroups; k++)
            if (layer.In % k == 0 && FoldScheme.Params(scheme, k, 1, layer.Out, layer.In, layer.Kh, layer.Kw) < layer.Params)
                result.Add(k);
        return result;
    }

    /// <summary>
    /// The requested schemes that are distinct for this layer: schemes with the same encoder kernel give the
    /// same factorisation (a linear layer or a 1×1 conv has only scheme 0), so only the first is kept.
    /// </summary>
    public static IReadOnlyList<int> Schemes(LayerSpec layer, IReadOnlyList<int> requested)
    {
        if (layer.Kind == LayerKind.Linear) return requested.Contains(0) ? [0] : [];
        return requested.Distinct().OrderBy(s => s)
            .DistinctBy(s => FoldScheme.EncoderKernel(s, layer.Kh, layer.Kw)).ToArray();
    }
}
