namespace Alds.Engine.Analysis;
/// <summary>Computes the error curves of one layer for the given schemes and group counts.</summary>
public interface ISpectralBackend : IDisposable
{
    /// <summary>The backend's name as reports show it (<c>cpu</c>, <c>cuda</c>).</summary>
    string Name { get; }

    /// <summary>
    /// The error curves of <paramref name="layer"/> for every scheme in <paramref name="schemes"/> (layers with
    /// <c>kh = kw = 1</c> have scheme 0 only) and every group count in <paramref name="groupCounts"/> (divisors of
    /// <c>in</c>), one <see cref="SchemeOption"/> each, exact to float64 rounding. May run on several threads internally;
    /// the sweep calls it for one layer at a time.
    /// </summary>
    /// <param name="layer">The layer, in canonical form.</param>
    /// <param name="schemes">Folding schemes, 0..3.</param>
    /// <param name="groupCounts">Candidate group counts <c>k</c>, each dividing <c>in</c>.</param>
    /// <param name="weight">canonical [out,in,kh,kw] float64, row-major</param>
    IReadOnlyList<SchemeOption> AnalyzeLayer(Layers.LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts);
}
