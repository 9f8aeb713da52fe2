using System.Numerics.Tensors;
using Alds.Engine.Decomposition;

namespace Alds.Engine.Calibration;

/// <summary>
/// The measured data-aware residual of a factorised scheme-0 layer: <c>‖(F − F̂) L‖₂ / ‖F L‖₂</c> with
/// <c>L Lᵀ = C + λ·mean(diag C)·I</c> the whole layer's, i.e. the largest output error on the calibration data relative
/// to the largest output. Computed as <c>√λ_max(R C' Rᵀ)</c> by Lanczos on the implicit m×m operator (no Cholesky of
/// the whole C), to a relative change below 1e-10 (a lower bound converging from below).
/// </summary>
internal static class WhitenedResidual
{
    public static double Relative(FactorizedLayer factors, ReadOnlySpan<double> weight, ReadOnlySpan<double> moment, double lambda, double norm)
    {
        if (norm == 0) return 0;
        var residual = Decomposer.ReconstructFolded(factors);
        TensorPrimitives.Subtract(weight[..residual.Length], residual, residual);
        return Largest(factors.Layer, residual, moment, lambda) / norm;
    }

    /// <summary><c>σ_1(F L) = √λ_max(F C' Fᵀ)</c> of a scheme-0 weight, by the same Lanczos.</summary>
    public static double Norm(Layers.LayerSpec layer, ReadOnlySpan<double> weight, ReadOnlySpan<double> moment, double lambda) =>
        Largest(layer, weight[..checked((int)layer.Params)].ToArray(), moment, lambda);

    private static double Largest(Layers.LayerSpec l, double[] residual, ReadOnlySpan<double> moment, double lambda)
    {
        int m = l.Out, total = l.In * l.Kh * l.Kw;
        var c = MomentBlocks.DampedSymmetric(moment, total, lambda);
        var u = new double[total];
        var v = new double[total];
        var z = new double[m];
        Linalg.SpectralNorm.Apply op = (x, y) =>
        {
            MultiplyT(residual, m, total, x, u);                 // u = Rᵀ x
            Parallel.For(0, total, r => v[r] = TensorPrimitives.Dot<double>(c.AsSpan(r * total, total), u)); // v = C' u
            Parallel.For(0, m, r => z[r] = TensorPrimitives.Dot<double>(residual.AsSpan(r * total, total), v)); // z = R v
            z.CopyTo(y);
        };
        double top = Linalg.SpectralNorm.Largest(m, m, op, op, 1e-10, 300);
        return Math.Sqrt(Math.Max(top, 0));
    }

    private static void MultiplyT(double[] a, int m, int n, ReadOnlySpan<double> x, double[] y)
    {
        Array.Clear(y);
        for (int r = 0; r < m; r++) TensorPrimitives.MultiplyAdd(a.AsSpan(r * n, n), x[r], y, y);
    }
}
