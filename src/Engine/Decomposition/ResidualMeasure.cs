using Alds.Engine.Analysis;

namespace Alds.Engine.Decomposition;

/// <summary>
/// The true relative residual <c>‖F_s(W) − F_s(Ŵ)‖₂ / ‖F_s(W)‖₂</c> of a factorised layer, computed exactly
/// (largest eigenvalue of the residual's smaller Gram matrix, float64), not estimated.
/// </summary>
public static class ResidualMeasure
{
    /// <param name="norm"><c>‖F_s(W)‖₂</c> when already known (the analysis has it); computed otherwise.</param>
    public static double RelativeSpectralError(FactorizedLayer factors, ReadOnlySpan<double> weight, double? norm = null)
    {
        var l = factors.Layer;
        var fold = new Fold(factors.Scheme, l.Out, l.In, l.Kh, l.Kw);
        var original = new double[l.Params];
        fold.Apply(weight, original);
        double whole = norm ?? SpectralNorm(original, fold.Rows, fold.Columns);
        if (whole == 0) return 0;
        var residual = Decomposer.ReconstructFolded(factors);
        System.Numerics.Tensors.TensorPrimitives.Subtract(original, residual, residual);
        return SpectralNorm(residual, fold.Rows, fold.Columns) / whole;
    }

    /// <summary>‖A‖₂ of a row-major m×n matrix (exact through the Gram up to 512, Lanczos to 1e-10 above).</summary>
    public static double SpectralNorm(ReadOnlySpan<double> a, int m, int n) =>
        m == 0 || n == 0 ? 0 : Linalg.SpectralNorm.Largest(a[..(m * n)], m, n, n);
}
