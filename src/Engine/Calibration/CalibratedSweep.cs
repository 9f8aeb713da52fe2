using Alds.Engine.Analysis;
using Alds.Engine.Models;

namespace Alds.Engine.Calibration;

/// <summary>
/// The data-aware counterpart of <see cref="SpectrumSweep"/>: every layer's scheme-0 curves from its weight and its stored
/// moment (<see cref="CalibratedSpectra"/>), one layer in memory at a time.
/// </summary>
public static class CalibratedSweep
{
    /// <remarks>CPU only (the packed products of <see cref="CalibratedSpectra"/>), whatever <c>--device</c> says.</remarks>
    public static (ModelAnalysis analysis, IReadOnlyList<LayerWhitening> whitening) Run(IModelSource source,
        MomentStore store, double lambda, int maxGroups, IProgress<(int done, int total, string layer)>? progress = null,
        CancellationToken cancel = default, CalibrationNorm normalisation = CalibrationNorm.Spectral)
    {
        int threads = Environment.ProcessorCount;
        var layers = new List<LayerAnalysis>();
        var whitening = new List<LayerWhitening>();
        for (int index = 0; index < source.Layers.Count; index++)
        {
            cancel.ThrowIfCancellationRequested();
            var layer = source.Layers[index];
            progress?.Report((index, source.Layers.Count, layer.Name));
            int order = layer.In * layer.Kh * layer.Kw;
            var (moment, count) = store.TryRead(layer.Name, order)
                ?? throw new ModelFormatException($"{store.Directory}: the calibration statistics of layer '{layer.Name}' are missing or unreadable");
            var weight = new double[layer.Params];
            source.ReadWeight(layer, weight);
            SpectrumSweep.EnsureFinite(source.Path, layer, weight);
            var report = new LayerWhitening(layer.Name, order, count, WhiteningMethod.Cholesky, lambda);
            var ks = GroupCounts.Candidates(layer, FoldScheme.KernelEncode, maxGroups);
            var options = ks.Count == 0 ? [] : CalibratedSpectra.Analyze(layer, weight, moment, lambda, ks, threads, ref report, normalisation,
                    normalisation == CalibrationNorm.Centred ? store.TryReadMean(layer.Name, order)
                        ?? throw new ModelFormatException($"{store.Directory}: the first moment of layer '{layer.Name}' is missing or unreadable") : default);
            layers.Add(new LayerAnalysis(layer, options));
            whitening.Add(report);
        }
        progress?.Report((source.Layers.Count, source.Layers.Count, ""));
        return (new ModelAnalysis(layers, [FoldScheme.KernelEncode]), whitening);
    }
}
