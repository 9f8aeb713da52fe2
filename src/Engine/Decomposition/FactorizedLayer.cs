namespace Alds.Engine.Decomposition;

/// <summary>A compressed layer's factors in the DESIGN §1 layout, float64, row-major.</summary>
/// <param name="Layer">The layer the factors replace.</param>
/// <param name="Scheme">Folding scheme 0–3 (DESIGN §1).</param>
/// <param name="Groups">Number of input-channel groups <c>k</c>.</param>
/// <param name="Rank">Rank <c>j</c> of every group.</param>
/// <param name="Encoder">[k·j, in/k, encKh, encKw] (linear: [k·j, in/k])</param>
/// <param name="Decoder">[out, k·j, decKh, decKw] (linear: [out, k·j])</param>
public sealed record FactorizedLayer(Layers.LayerSpec Layer, int Scheme, int Groups, int Rank, double[] Encoder, double[] Decoder)
{
    /// <summary>max_i σ_{j+1}(G_i) from the factorisation's own spectra (absolute; null when not known).</summary>
    internal double? TruncationError { get; init; }
}
