using Alds.Engine.Decomposition;
using Alds.Engine.Layers;
using Alds.Engine.Linalg;

namespace Alds.Engine.Calibration;

/// <summary>
/// Data-aware factors of a scheme-0 (or linear) layer (DESIGN §6): per channel group, <c>G_i L_i ≈ U Σ Vᵀ</c> truncated to
/// rank j; decoder <c>U√Σ</c>, encoder <c>√Σ Vᵀ L_i⁻¹</c> by a triangular solve. The layout is that of
/// <see cref="Decomposer"/>; with <c>C = I</c> and λ = 0 the factors are Decomposer's bit for bit.
/// <see cref="FactorizedLayer.TruncationError"/> is <c>max_i σ_{j+1}(G_i L_i)</c> (whitened units).
/// </summary>
internal static class WhitenedDecomposer
{
    public static FactorizedLayer Factorize(LayerSpec layer, ReadOnlySpan<double> weight, ReadOnlySpan<double> moment,
        double lambda, int groups, int rank, int threads)
    {
        int m = layer.Out, total = layer.In * layer.Kh * layer.Kw;
        if (groups < 1 || layer.In % groups != 0) throw new ArgumentException($"{groups} groups do not divide {layer.In} input channels");
        int n = total / groups, kj = groups * rank;
        if (rank < 1 || rank > Math.Min(m, n)) throw new ArgumentOutOfRangeException(nameof(rank));
        double scale = MomentBlocks.MeanDiagonal(moment, total);
        var encoder = new double[(long)kj * n];
        var decoder = new double[(long)m * kj];
        var whitened = new double[(long)m * n];
        double next = 0;
        for (int i = 0; i < groups; i++)
        {
            var factor = WhiteningFactor.Create(MomentBlocks.Diagonal(moment, total, groups, i), n, lambda, scale, threads);
            factor.MultiplyRight(weight[(i * n)..], m, total, whitened, n, threads);
            var svd = TruncatedSvd.Compute(whitened, m, n, n, rank, threads);
            next = Math.Max(next, svd.NextSingularValue);
            double[] vt = svd.Vt, ut = svd.UTransposed;
            for (int r = 0; r < rank; r++)
            {
                double root = Math.Sqrt(svd.S[r]);
                var row = vt.AsSpan(r * n, n);
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, root, row);
                var left = ut.AsSpan(r * m, m); // u_r
                for (int o = 0; o < m; o++) decoder[(long)o * kj + i * rank + r] = root * left[o];
            }
            factor.SolveRight(vt, rank, threads);
            vt.AsSpan(0, rank * n).CopyTo(encoder.AsSpan(i * rank * n, rank * n));
        }
        return new FactorizedLayer(layer, 0, groups, rank, encoder, decoder) { TruncationError = next };
    }
}
