using Alds.Engine.Analysis;

namespace Alds.Engine.Decomposition;

/// <summary>
/// The true relative residual <c>‖F_s(W) − F_s(Ŵ)‖₂ / ‖F_s(W)‖₂</c> of a factorised layer, computed exactly
/// (largest eigenvalue of the residual's smaller Gram matrix, float64), not estimated.
/// </summary>
public static class ResidualMeasure
{
    public static double RelativeSpectralError(FactorizedLayer factors, ReadOnlySpan<double> weight)
    {
        var l = factors.Layer;
        var fold = new Fold(factors.Scheme, l.Out, l.In, l.Kh, l.Kw);
        var original = new double[l.Params];
        fold.Apply(weight, original);
        double norm = SpectralNorm(original, fold.Rows, fold.Columns);
        if (norm == 0) return 0;
        var residual = Decomposer.ReconstructFolded(factors);
        System.Numerics.Tensors.TensorPrimitives.Subtract(original, residual, residual);
        return SpectralNorm(residual, fold.Rows, fold.Columns) / norm;
    }

    /// <summary>‖A‖₂ of a row-major m×n matrix: the square root of the largest eigenvalue of its smaller Gram.</summary>
    public static double SpectralNorm(ReadOnlySpan<double> a, int m, int n)
    {
        int r = Math.Min(m, n);
        if (r == 0) return 0;
        var gram = new double[r * r];
        if (m <= n) GroupSpectra.RowGram(a, m, n, n, gram);
        else GroupSpectra.ColumnGram(a, m, n, n, gram);
        var w = new double[r];
        GroupSpectra.Eigenvalues(gram, r, w, new double[GroupSpectra.ScratchLength(r)]);
        return Math.Sqrt(Math.Max(w[0], 0));
    }
}
