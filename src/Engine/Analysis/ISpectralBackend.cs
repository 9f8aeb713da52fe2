namespace Alds.Engine.Analysis;
/// <summary>Computes the error curves of one layer for the given schemes and group counts.</summary>
public interface ISpectralBackend : IDisposable
{
    string Name { get; }

    /// <summary>
    /// True when <see cref="AnalyzeLayer"/> may run for two layers at once; the sweep then overlaps consecutive
    /// layers to keep every core busy at layer boundaries.
    /// </summary>
    bool AllowsConcurrentLayers => false;
    /// <param name="weight">canonical [out,in,kh,kw] float64, row-major</param>
    IReadOnlyList<SchemeOption> AnalyzeLayer(Layers.LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts);
}
