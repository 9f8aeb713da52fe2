using Alds.Engine.Analysis;

namespace Alds.Engine.Decomposition;

/// <summary>
/// The true relative residual <c>‖F_s(W) − F_s(Ŵ)‖₂ / ‖F_s(W)‖₂</c> of a factorised layer.
/// </summary>
/// <remarks>
/// Small layers (min(m, in·enc) ≤ <see cref="Linalg.SpectralNorm.ExactLimit"/>): exact, from the largest eigenvalue
/// of the residual's smaller Gram (float64). Larger layers, without forming the residual: Lanczos on the implicit
/// operator <c>x ↦ Σ_i G_i x_i − D_i (E_i x_i)</c> for at most <see cref="LanczosSteps"/> steps or a relative change
/// below 1e-7, a lower bound that converges from below (the stated figure is never above the truth). With one group
/// the figure is at least σ_{j+1} of the layer, the factorisation's own optimal error: the larger of the two lower
/// bounds, so that rounding of the factors to a narrower stored dtype (BF16) is seen and the optimum is never missed.
/// </remarks>
internal static class ResidualMeasure
{
    /// <summary>Most Lanczos steps for a large grouped layer (two passes over the weight each).</summary>
    public const int LanczosSteps = 40;

    /// <param name="norm"><c>‖F_s(W)‖₂</c> when already known (the analysis has it); computed otherwise.</param>
    public static double RelativeSpectralError(FactorizedLayer factors, ReadOnlySpan<double> weight, double? norm = null)
    {
        var l = factors.Layer;
        var fold = new Fold(factors.Scheme, l.Out, l.In, l.Kh, l.Kw);
        int m = fold.Rows, total = fold.Columns;
        if (Math.Min(m, total) > Linalg.SpectralNorm.ExactLimit) return LargeRelativeError(factors, fold, weight, norm);
        var original = new double[l.Params];
        fold.Apply(weight, original);
        double whole = norm ?? SpectralNorm(original, fold.Rows, fold.Columns);
        if (whole == 0) return 0;
        var residual = Decomposer.ReconstructFolded(factors);
        System.Numerics.Tensors.TensorPrimitives.Subtract(original, residual, residual);
        return SpectralNorm(residual, fold.Rows, fold.Columns) / whole;
    }

    /// <summary>
    /// As <see cref="RelativeSpectralError(FactorizedLayer, ReadOnlySpan{double}, double?)"/> from a float32 weight,
    /// widened exactly where it is read (the same figure bit for bit; a large scheme-0 layer is never copied).
    /// </summary>
    public static unsafe double RelativeSpectralError(FactorizedLayer factors, ReadOnlySpan<float> weight, double? norm = null)
    {
        var l = factors.Layer;
        var fold = new Fold(factors.Scheme, l.Out, l.In, l.Kh, l.Kw);
        int m = fold.Rows, total = fold.Columns;
        if (Math.Min(m, total) <= Linalg.SpectralNorm.ExactLimit)
        {
            var wide = new double[weight.Length];
            System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(weight, wide);
            return RelativeSpectralError(factors, wide, norm);
        }
        if (factors.Scheme != Analysis.FoldScheme.KernelEncode)
        {
            var folded = new double[weight.Length];
            fold.Apply(weight, folded);
            fixed (double* p = folded)
                return LargeRelativeError(factors, fold, Linalg.MatrixView.Of(p, m, total, total), norm);
        }
        fixed (float* p = weight)
            return LargeRelativeError(factors, fold, Linalg.MatrixView.Of(p, m, total, total), norm);
    }

    private static unsafe double LargeRelativeError(FactorizedLayer f, Fold fold, ReadOnlySpan<double> weight, double? norm)
    {
        int m = fold.Rows, total = fold.Columns, k = f.Groups;
        double[]? copy = null;
        if (f.Scheme != Analysis.FoldScheme.KernelEncode) { copy = new double[weight.Length]; fold.Apply(weight, copy); }
        fixed (double* p = copy is null ? weight : copy)
            return LargeRelativeError(f, fold, Linalg.MatrixView.Of(p, m, total, total), norm);
    }

    private static double LargeRelativeError(FactorizedLayer f, Fold fold, Linalg.MatrixView g, double? norm)
    {
        int m = fold.Rows, total = fold.Columns, k = f.Groups, j = f.Rank, n = total / k, kj = k * j, decTaps = fold.DecoderTaps;
        double whole = norm ?? Linalg.SpectralNorm.Largest(m, total, (x, y) => Multiply(g, m, total, x, y), (x, y) => MultiplyT(g, m, total, x, y), 1e-7, LanczosSteps);
        if (whole == 0) return 0;
        // D as m × kj (row (o, t)), E as kj × n per group (rows i·j + r). With one decoder tap (scheme 0) the decoder
        // already is D: no copy (for VGG11's classifier.0 at k = 8 that copy was 200 MB).
        var d = f.Decoder;
        if (decTaps > 1)
        {
            d = new double[(long)m * kj];
            for (int o = 0; o < f.Layer.Out; o++)
                for (int c = 0; c < kj; c++)
                    for (int t = 0; t < decTaps; t++) d[(long)(o * decTaps + t) * kj + c] = f.Decoder[((long)o * kj + c) * decTaps + t];
        }
        var mid = new double[kj];
        var outM = new double[m];
        double residual = Linalg.SpectralNorm.Largest(m, total,
            (x, y) =>
            {
                Multiply(g, m, total, x, y);
                for (int c = 0; c < kj; c++) mid[c] = System.Numerics.Tensors.TensorPrimitives.Dot<double>(f.Encoder.AsSpan(c * n, n), x.Slice(c / j * n, n));
                for (int row = 0; row < m; row++) y[row] -= System.Numerics.Tensors.TensorPrimitives.Dot<double>(d.AsSpan(row * kj, kj), mid);
            },
            (x, y) =>
            {
                MultiplyT(g, m, total, x, y);
                Array.Clear(mid);
                for (int row = 0; row < m; row++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(d.AsSpan(row * kj, kj), x[row], mid, mid);
                for (int c = 0; c < kj; c++)
                {
                    var part = y.Slice(c / j * n, n);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(f.Encoder.AsSpan(c * n, n), -mid[c], part, part);
                }
            }, 1e-7, LanczosSteps);
        if (k == 1 && f.TruncationError is double optimal) residual = Math.Max(residual, optimal);
        return residual / whole;
    }

    // y = G x (rows in parallel; each row one dot product).
    private static void Multiply(Linalg.MatrixView g, int m, int n, ReadOnlySpan<double> x, Span<double> y)
    {
        var xs = x.ToArray();
        var ys = new double[m];
        Parallel.For(0, (m + 63) / 64, b =>
        {
            var wide = g.IsFloat ? new double[n] : null;
            for (int row = b * 64; row < Math.Min(m, b * 64 + 64); row++)
                ys[row] = System.Numerics.Tensors.TensorPrimitives.Dot<double>(Row(g, row, 0, n, wide), xs);
        });
        ys.CopyTo(y);
    }

    // y = Gᵀ x (column blocks in parallel; each block summed over rows in order).
    private static void MultiplyT(Linalg.MatrixView g, int m, int n, ReadOnlySpan<double> x, Span<double> y)
    {
        var xs = x.ToArray();
        var ys = new double[n];
        const int Width = 2048;
        Parallel.For(0, (n + Width - 1) / Width, b =>
        {
            int c0 = b * Width, len = Math.Min(Width, n - c0);
            var part = ys.AsSpan(c0, len);
            var wide = g.IsFloat ? new double[len] : null;
            for (int row = 0; row < m; row++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(Row(g, row, c0, len, wide), xs[row], part, part);
        });
        ys.CopyTo(y);
    }

    // Row `row`, columns c0 .. c0 + len, as float64: the view's own row, or a float32 row widened exactly into `wide`.
    private static ReadOnlySpan<double> Row(Linalg.MatrixView g, int row, int c0, int len, double[]? wide)
    {
        if (wide is null) return g.RowOfDoubles(row, c0, len);
        var target = wide.AsSpan(0, len);
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(g.RowOfSingles(row, c0, len), target);
        return target;
    }

    /// <summary>‖A‖₂ of a row-major m×n matrix (exact through the Gram up to 512, Lanczos to 1e-10 above).</summary>
    public static double SpectralNorm(ReadOnlySpan<double> a, int m, int n) =>
        m == 0 || n == 0 ? 0 : Linalg.SpectralNorm.Largest(a[..(m * n)], m, n, n);
}
