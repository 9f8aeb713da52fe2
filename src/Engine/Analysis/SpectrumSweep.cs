using Alds.Engine.Layers;
using Alds.Engine.Models;

namespace Alds.Engine.Analysis;

/// <summary>Options of the sweep: which schemes and the largest group count.</summary>
public sealed record SweepOptions(IReadOnlyList<int> Schemes, int MaxGroups = int.MaxValue)
{
    /// <summary>This process's share of the layers: layer <c>i</c> belongs to shard <c>i mod Count</c>.</summary>
    public (int Index, int Count) Shard { get; init; } = (0, 1);

    /// <summary>Stops the sweep between layers and between eigenproblems.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>Scheme 0 only (the paper's ALDS), every group count.</summary>
    public static SweepOptions SchemeZero { get; } = new([0]);
    /// <summary>The four schemes (ALDS+), every group count.</summary>
    public static SweepOptions AllSchemes { get; } = new(FoldScheme.All);
}

/// <summary>
/// Runs a spectral backend over every compressible layer of a model, one layer's working set at a time.
/// </summary>
public static class SpectrumSweep
{
    /// <summary>
    /// The error curves of every compressible layer of <paramref name="source"/> computed by <paramref name="backend"/>
    /// (a <c>Caching.CachedSpectralBackend</c> to read and fill a spectra cache), in the source's layer order.
    /// </summary>
    /// <exception cref="ModelFormatException">A weight cannot be read or is not finite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> or the options' token was cancelled.</exception>
    public static ModelAnalysis Run(IModelSource source, ISpectralBackend backend, SweepOptions options,
        IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default)
    {
        var selected = Enumerable.Range(0, source.Layers.Count).Where(i => i % options.Shard.Count == options.Shard.Index).ToArray();
        var results = new LayerAnalysis[selected.Length];
        // One layer at a time: its weight, fold and Grams are the only working set beyond the model file; the
        // backend parallelises within the layer. (Overlapping consecutive layers was measured at most ~5% faster on
        // the embedded ResNet18 once the four-problem interleave balanced the layer tails.)
        for (int s = 0; s < selected.Length; s++)
        {
            cancel.ThrowIfCancellationRequested();
            options.Cancel.ThrowIfCancellationRequested();
            int index = selected[s];
            progress?.Report((index, source.Layers.Count, source.Layers[index].Name));
            results[s] = AnalyzeLayer(source, backend, options, source.Layers[index]);
        }
        var layers = results.ToList();
        progress?.Report((source.Layers.Count, source.Layers.Count, ""));
        Linalg.WorkBuffers.ReleaseAll(); // the next stage (planning, factorisation) starts from the curves alone
        return new ModelAnalysis(layers, options.Schemes);
    }

    internal static LayerAnalysis AnalyzeLayer(IModelSource source, ISpectralBackend backend, SweepOptions options, LayerSpec layer)
    {
        // Pooled: a fresh array per layer is zeroed, page-faulted in and, being large, collected by full GCs.
        var rented = Alds.Engine.Linalg.WorkBuffers.Rent(checked((int)layer.Params));
        try
        {
            var weight = rented.AsSpan(0, (int)layer.Params);
            source.ReadWeight(layer, weight);
            EnsureFinite(source.Path, layer, weight);
            return new LayerAnalysis(layer, Analyze(backend, options, layer, weight));
        }
        finally { Alds.Engine.Linalg.WorkBuffers.Return(rented); }
    }

    private static List<SchemeOption> Analyze(ISpectralBackend backend, SweepOptions options, LayerSpec layer, ReadOnlySpan<double> weight)
    {
        var result = new List<SchemeOption>();
        foreach (var scheme in GroupCounts.Schemes(layer, options.Schemes))
        {
            var ks = GroupCounts.Candidates(layer, scheme, options.MaxGroups);
            if (ks.Count == 0) continue;
            result.AddRange(backend.AnalyzeLayer(layer, weight, [scheme], ks));
        }
        return result;
    }

    /// <summary>NaN or infinity in a weight (float64 or float32): refuse, naming the tensor and the first bad element.</summary>
    internal static void EnsureFinite<TFloat>(string path, LayerSpec layer, ReadOnlySpan<TFloat> weight)
        where TFloat : System.Numerics.IFloatingPointIeee754<TFloat>
    {
        // Any NaN or ±Inf makes the (vectorised) sum non-finite; only then is the scan needed (a float32 sum can also
        // overflow on finite weights: the scan then decides).
        if (TFloat.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(weight))) return;
        for (int i = 0; i < weight.Length; i++)
            if (!TFloat.IsFinite(weight[i]))
                throw new ModelFormatException(
                    $"{System.IO.Path.GetFileName(path)}: tensor '{layer.WeightTensor}': element {i} is {double.CreateTruncating(weight[i])} (weights must be finite)");
    }
}
