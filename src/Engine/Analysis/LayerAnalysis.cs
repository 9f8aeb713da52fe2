using Alds.Engine.Layers;

namespace Alds.Engine.Analysis;

/// <summary>
/// The error curves of one layer for one folding scheme and group count.
/// <c>ErrorsMax[j-1] = max_i σ_{j+1}(G_i) / σ_1(F_s(W))</c>;
/// <c>ErrorsRss[j-1] = sqrt(Σ_i σ_{j+1}(G_i)²) / σ_1(F_s(W))</c>.
/// Both have length <c>min(m, n)</c> of a group; the last entry (full rank) is 0.
/// A zero weight has <see cref="Norm"/> 0 and all-zero curves.
/// </summary>
public sealed record SchemeOption(int Scheme, int Groups, double Norm, double[] ErrorsMax, double[] ErrorsRss)
{
    /// <summary>The full rank of a group, <c>min(m, n)</c>: the length of both curves.</summary>
    public int MaxRank => ErrorsMax.Length;
}

/// <summary>All options of one compressible layer.</summary>
public sealed record LayerAnalysis(LayerSpec Layer, IReadOnlyList<SchemeOption> Options);

/// <summary>The spectral analysis of a model: what the planner needs.</summary>
public sealed record ModelAnalysis(IReadOnlyList<LayerAnalysis> Layers, IReadOnlyList<int> Schemes);
