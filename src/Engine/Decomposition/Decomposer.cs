using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Decomposition;

/// <summary>
/// Factorises a layer for a chosen (scheme, k, j): the truncated SVD of each channel group of the folded
/// weight, split symmetrically (<c>D_i = U_i√Σ_i</c>, <c>E_i = √Σ_i V_iᵀ</c>) and unfolded into the encoder
/// <c>[k·j, in/k, encKh, encKw]</c> and decoder <c>[out, k·j, decKh, decKw]</c> (DESIGN §1).
/// Arithmetic in float64.
/// </summary>
internal static class Decomposer
{
    public static FactorizedLayer Factorize(LayerSpec layer, ReadOnlySpan<double> weight, int scheme, int groups, int rank) =>
        Factorize(layer, weight, scheme, groups, rank, -1);

    /// <summary>
    /// As <see cref="Factorize(LayerSpec, ReadOnlySpan{double}, int, int, int)"/>, with the groups' SVDs on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (−1: all). Each group writes only its own rows of the
    /// factors, so the result is bit-identical for any thread count.
    /// </summary>
    public static unsafe FactorizedLayer Factorize(LayerSpec layer, ReadOnlySpan<double> weight, int scheme, int groups, int rank, int maxDegreeOfParallelism)
    {
        var fold = Check(layer, scheme, groups, rank);
        // Scheme 0 is the identity fold: the groups are views of the weight itself (no whole-layer copy).
        double[]? foldedCopy = null;
        if (scheme != FoldScheme.KernelEncode)
        {
            foldedCopy = new double[layer.Params];
            fold.Apply(weight, foldedCopy);
        }
        fixed (double* fp = foldedCopy is null ? weight : foldedCopy)
            return Factorize(layer, fold, Linalg.MatrixView.Of(fp, fold.Rows, fold.Columns, fold.Columns), groups, rank, maxDegreeOfParallelism);
    }

    /// <summary>
    /// As <see cref="Factorize(LayerSpec, ReadOnlySpan{double}, int, int, int, int)"/> from a float32 weight, widened
    /// exactly where it is read: the same arithmetic, so the same factors bit for bit, from half the memory.
    /// </summary>
    public static unsafe FactorizedLayer Factorize(LayerSpec layer, ReadOnlySpan<float> weight, int scheme, int groups, int rank, int maxDegreeOfParallelism)
    {
        var fold = Check(layer, scheme, groups, rank);
        if (scheme != FoldScheme.KernelEncode)
        {
            var folded = new double[layer.Params];
            fold.Apply(weight, folded);
            fixed (double* fp = folded)
                return Factorize(layer, fold, Linalg.MatrixView.Of(fp, fold.Rows, fold.Columns, fold.Columns), groups, rank, maxDegreeOfParallelism);
        }
        fixed (float* wp = weight)
            return Factorize(layer, fold, Linalg.MatrixView.Of(wp, fold.Rows, fold.Columns, fold.Columns), groups, rank, maxDegreeOfParallelism);
    }

    private static Fold Check(LayerSpec layer, int scheme, int groups, int rank)
    {
        var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
        if (groups < 1 || layer.In % groups != 0) throw new ArgumentException($"{groups} groups do not divide {layer.In} input channels");
        int n = fold.Columns / groups;
        if (rank < 1 || rank > Math.Min(fold.Rows, n)) throw new ArgumentOutOfRangeException(nameof(rank));
        return fold;
    }

    /// <param name="folded">the folded weight F_s(W), m × in·enc, pinned by the caller</param>
    private static FactorizedLayer Factorize(LayerSpec layer, Fold fold, Linalg.MatrixView folded, int groups, int rank, int maxDegreeOfParallelism)
    {
        int m = fold.Rows, total = fold.Columns, n = total / groups;
        int decTaps = fold.DecoderTaps, kj = groups * rank, outs = layer.Out;
        var encoder = groups == 1 ? [] : new double[(long)kj * n];
        var decoder = new double[(long)layer.Out * kj * decTaps];
        var next = new double[groups];
        // Large groups take all threads each (their Gram, GEMMs and back-transformation are parallel); small ones run
        // side by side on one thread each. Either way every group's arithmetic is fixed: bit-identical for any count.
        bool large = Math.Min(m, n) >= LargeGroupOrder;
        int inner = large ? maxDegreeOfParallelism : 1, outer = large ? 1 : maxDegreeOfParallelism;
        Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = outer }, i =>
        {
            var svd = Linalg.TruncatedSvd.Compute(folded.Columns(i * n, n), rank, inner);
            next[i] = svd.NextSingularValue;
            double[] ut = svd.UTransposed, s = svd.S, vt = svd.Vt;
            for (int r = 0; r < rank; r++)
            {
                double root = Math.Sqrt(s[r]);
                var row = vt.AsSpan(r * n, n);
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, root, row); // E_i = √Σ Vᵀ, same layout
                var left = ut.AsSpan(r * m, m); // u_r, rows (o, t) of the folded weight
                for (int o = 0; o < outs; o++)
                    for (int t = 0; t < decTaps; t++)
                        decoder[((long)o * kj + i * rank + r) * decTaps + t] = root * left[o * decTaps + t];
            }
            if (groups == 1) encoder = vt; // one group: the scaled Vᵀ is the encoder, no copy
            else vt.AsSpan(0, rank * n).CopyTo(encoder.AsSpan(i * rank * n, rank * n));
            // U (copied into the decoder) and, with several groups, Vᵀ (copied into the encoder) are garbage now.
            Linalg.WorkBuffers.NoteReleased(8L * (ut.LongLength + (groups == 1 ? 0 : vt.LongLength)));
        });
        return new FactorizedLayer(layer, fold.Scheme, groups, rank, encoder, decoder) { TruncationError = next.Max() };
    }

    /// <summary>Group order (min(m, n)) from which a group's factorisation is parallel inside instead of across groups.</summary>
    internal const int LargeGroupOrder = 256;

    /// <summary>The folded approximation <c>F_s(Ŵ) = [D_1E_1 … D_kE_k]</c> (m × in·enc, row-major).</summary>
    /// <remarks>Each block <c>D_iE_i</c> is one dense product (float64, fused multiply-adds, summed in rank order).</remarks>
    public static double[] ReconstructFolded(FactorizedLayer f)
    {
        var l = f.Layer;
        var fold = new Fold(f.Scheme, l.Out, l.In, l.Kh, l.Kw);
        int m = fold.Rows, total = fold.Columns, n = total / f.Groups, decTaps = fold.DecoderTaps, kj = f.Groups * f.Rank;
        int rank = f.Rank;
        var result = new double[(long)m * total];
        Parallel.For(0, f.Groups, i =>
        {
            var d = new double[m * rank]; // D_i, rows (o, t)
            for (int row = 0; row < m; row++)
            {
                int o = row / decTaps, t = row % decTaps;
                for (int r = 0; r < rank; r++) d[row * rank + r] = f.Decoder[((long)o * kj + i * rank + r) * decTaps + t];
            }
            Linalg.Gemm.Multiply(d, m, rank, rank, f.Encoder.AsSpan(i * rank * n, rank * n), n, n,
                result.AsSpan(i * n, (m - 1) * total + n), total);
        });
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
