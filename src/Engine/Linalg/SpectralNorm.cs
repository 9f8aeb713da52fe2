using System.Numerics.Tensors;

namespace Alds.Engine.Linalg;

/// <summary>Largest singular value ‖R‖₂ of a matrix or a linear operator.</summary>
/// <remarks>
/// Small matrices (min(m, n) ≤ <see cref="ExactLimit"/>) go through the Gram eigenvalues (relative error
/// ≈ n·eps). Larger ones use Lanczos on RᵀR (or R Rᵀ, the smaller) with full reorthogonalisation from a
/// seeded start, stopped when the top Ritz value changes by less than relTol (relative) on two consecutive
/// steps; the Ritz value never exceeds the truth, and the stated 1e-4 relative accuracy is met with
/// a wide margin at the default 1e-10.
/// </remarks>
internal static class SpectralNorm
{
    /// <summary>Order up to which the dense overload uses the exact Gram route.</summary>
    public const int ExactLimit = 512;

    /// <summary>y = op(x) for an operator or its transpose.</summary>
    public delegate void Apply(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>‖R‖₂ of the dense m×n view r (row stride ld).</summary>
    public static double Largest(ReadOnlySpan<double> r, int m, int n, int ld)
    {
        SymmetricGram.CheckView(r.Length, m, n, ld, nameof(r));
        int p = Math.Min(m, n);
        if (p == 0) return 0;
        if (p <= ExactLimit)
        {
            var s = new double[p];
            SingularValues.Compute(r, m, n, ld, s);
            return s[0];
        }
        var copy = new double[m * n];
        for (int i = 0; i < m; i++) r.Slice(i * ld, n).CopyTo(copy.AsSpan(i * n, n));
        return Largest(m, n,
            (x, y) => { for (int i = 0; i < m; i++) y[i] = TensorPrimitives.Dot<double>(copy.AsSpan(i * n, n), x); },
            (x, y) =>
            {
                y.Clear();
                for (int i = 0; i < m; i++) TensorPrimitives.MultiplyAdd(copy.AsSpan(i * n, n), x[i], y, y);
            });
    }

    /// <summary>
    /// ‖R‖₂ of an m×n operator given y = R x (<paramref name="multiply"/>, x ∈ ℝⁿ, y ∈ ℝᵐ) and
    /// y = Rᵀ x (<paramref name="multiplyTransposed"/>), by Lanczos.
    /// </summary>
    public static double Largest(int m, int n, Apply multiply, Apply multiplyTransposed, double relTol = 1e-10, int maxSteps = 300)
    {
        int d = Math.Min(m, n);
        if (d == 0) return 0;
        int steps = Math.Min(d, maxSteps);
        // Operator on the smaller side: RᵀR if n ≤ m, else R Rᵀ.
        var mid = new double[Math.Max(m, n)];
        void Op(ReadOnlySpan<double> x, Span<double> y)
        {
            if (n <= m) { multiply(x, mid.AsSpan(0, m)); multiplyTransposed(mid.AsSpan(0, m), y); }
            else { multiplyTransposed(x, mid.AsSpan(0, n)); multiply(mid.AsSpan(0, n), y); }
        }
        var basis = new double[(steps + 1) * d];
        var rng = new Random(12345);
        var q0 = basis.AsSpan(0, d);
        for (int i = 0; i < d; i++) q0[i] = rng.NextDouble() - 0.5;
        TensorPrimitives.Divide(q0, TensorPrimitives.Norm<double>(q0), q0);
        var alpha = new double[steps];
        var beta = new double[steps];
        var w = new double[d];
        var td = new double[steps];
        var te = new double[steps];
        double theta = 0, prev = double.NaN;
        int calm = 0;
        for (int k = 0; k < steps; k++)
        {
            var qk = basis.AsSpan(k * d, d);
            Op(qk, w);
            alpha[k] = TensorPrimitives.Dot<double>(qk, w);
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i <= k; i++)
                {
                    var qi = basis.AsSpan(i * d, d);
                    TensorPrimitives.MultiplyAdd(qi, -TensorPrimitives.Dot<double>(qi, w), w, w);
                }
            beta[k] = TensorPrimitives.Norm<double>(w);
            alpha.AsSpan(0, k + 1).CopyTo(td);
            beta.AsSpan(0, k).CopyTo(te);
            TridiagonalEigen.Values(td, te, k + 1);
            theta = td[k];
            if (!double.IsNaN(prev) && Math.Abs(theta - prev) <= relTol * Math.Abs(theta)) calm++; else calm = 0;
            prev = theta;
            if (calm >= 2 || beta[k] <= 1e-13 * Math.Abs(theta) || beta[k] == 0) break;
            TensorPrimitives.Divide(w, beta[k], basis.AsSpan((k + 1) * d, d));
        }
        return Math.Sqrt(Math.Max(theta, 0));
    }
}
