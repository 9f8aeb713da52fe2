using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Decomposition;

/// <summary>
/// Factorises a layer for a chosen (scheme, k, j): the truncated SVD of each channel group of the folded
/// weight, split symmetrically (<c>D_i = U_i√Σ_i</c>, <c>E_i = √Σ_i V_iᵀ</c>) and unfolded into the encoder
/// <c>[k·j, in/k, encKh, encKw]</c> and decoder <c>[out, k·j, decKh, decKw]</c> (DESIGN §1).
/// Arithmetic in float64.
/// </summary>
public static class Decomposer
{
    public static FactorizedLayer Factorize(LayerSpec layer, ReadOnlySpan<double> weight, int scheme, int groups, int rank)
    {
        var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
        int m = fold.Rows, total = fold.Columns, n = total / groups;
        if (layer.In % groups != 0) throw new ArgumentException($"{groups} groups do not divide {layer.In} input channels");
        if (rank < 1 || rank > Math.Min(m, n)) throw new ArgumentOutOfRangeException(nameof(rank));
        var folded = new double[layer.Params];
        fold.Apply(weight, folded);

        int decTaps = fold.DecoderTaps, kj = groups * rank;
        var encoder = new double[(long)kj * n];
        var decoder = new double[(long)layer.Out * kj * decTaps];
        for (int i = 0; i < groups; i++)
        {
            var svd = Linalg.TruncatedSvd.Compute(folded.AsSpan(i * n, (m - 1) * total + n), m, n, total, rank);
            double[] u = svd.U, s = svd.S, vt = svd.Vt;
            for (int r = 0; r < rank; r++)
            {
                double root = Math.Sqrt(s[r]);
                var row = encoder.AsSpan((i * rank + r) * n, n);
                for (int col = 0; col < n; col++) row[col] = root * vt[r * n + col];
                for (int o = 0; o < layer.Out; o++)
                    for (int t = 0; t < decTaps; t++)
                        decoder[((long)o * kj + i * rank + r) * decTaps + t] = root * u[(o * decTaps + t) * rank + r];
            }
        }
        return new FactorizedLayer(layer, scheme, groups, rank, encoder, decoder);
    }

    /// <summary>The folded approximation <c>F_s(Ŵ) = [D_1E_1 … D_kE_k]</c> (m × in·enc, row-major).</summary>
    public static double[] ReconstructFolded(FactorizedLayer f)
    {
        var l = f.Layer;
        var fold = new Fold(f.Scheme, l.Out, l.In, l.Kh, l.Kw);
        int m = fold.Rows, total = fold.Columns, n = total / f.Groups, decTaps = fold.DecoderTaps, kj = f.Groups * f.Rank;
        var result = new double[(long)m * total];
        for (int i = 0; i < f.Groups; i++)
            for (int row = 0; row < m; row++)
            {
                int o = row / decTaps, t = row % decTaps;
                var target = result.AsSpan(row * total + i * n, n);
                for (int r = 0; r < f.Rank; r++)
                {
                    double d = f.Decoder[((long)o * kj + i * f.Rank + r) * decTaps + t];
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(f.Encoder.AsSpan((i * f.Rank + r) * n, n), d, target, target);
                }
            }
        return result;
    }

    /// <summary>The reconstructed weight <c>Ŵ</c> in canonical <c>[out, in, kh, kw]</c> layout.</summary>
    public static double[] Reconstruct(FactorizedLayer f)
    {
        var l = f.Layer;
        var weight = new double[l.Params];
        new Fold(f.Scheme, l.Out, l.In, l.Kh, l.Kw).Unapply(ReconstructFolded(f), weight);
        return weight;
    }
}
