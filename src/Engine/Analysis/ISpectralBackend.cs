namespace Alds.Engine.Analysis;
/// <summary>Computes the error curves of one layer for the given schemes and group counts.</summary>
public interface ISpectralBackend : IDisposable
{
    string Name { get; }

    /// <param name="weight">canonical [out,in,kh,kw] float64, row-major</param>
    IReadOnlyList<SchemeOption> AnalyzeLayer(Layers.LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts);
}
