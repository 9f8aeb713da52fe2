namespace Alds.Engine.Linalg;

/// <summary>
/// All singular values of a dense matrix, as square roots of the eigenvalues of its smaller Gram matrix.
/// </summary>
/// <remarks>
/// Precision contract: the Gram is accumulated in float64 and its eigenvalues carry an absolute error
/// ≈ c·n·eps·σ_max², so σ_i has absolute error ≈ c·n·eps·σ_max²/σ_i (≈ sqrt(c·n·eps)·σ_max near zero).
/// This is the ALDS error measure's need (Σ σ² tails); for small σ to full relative accuracy use
/// <see cref="TruncatedSvd"/>. Tiny negative eigenvalues (rounding) are clamped to 0. Results descend.
/// </remarks>
internal static class SingularValues
{
    /// <summary>Singular values of the m×n float64 view g (row stride ld) into sigma (min(m, n) values, descending).</summary>
    public static void Compute(ReadOnlySpan<double> g, int m, int n, int ld, Span<double> sigma)
    {
        SymmetricGram.CheckView(g.Length, m, n, ld, nameof(g));
        int p = Math.Min(m, n);
        CheckSigma(sigma.Length, p);
        if (p == 0) return;
        double[] gram = WorkBuffers.Rent(p * p);
        try
        {
            var c = gram.AsSpan(0, p * p);
            if (m <= n) SymmetricGram.AAt(g, m, n, ld, c); else SymmetricGram.AtA(g, m, n, ld, c);
            FromGram(c, p, sigma);
        }
        finally { WorkBuffers.Return(gram); }
    }

    /// <summary>Singular values of the m×n float32 view g (row stride ld), Gram accumulated in float64.</summary>
    public static void Compute(ReadOnlySpan<float> g, int m, int n, int ld, Span<double> sigma)
    {
        SymmetricGram.CheckView(g.Length, m, n, ld, nameof(g));
        int p = Math.Min(m, n);
        CheckSigma(sigma.Length, p);
        if (p == 0) return;
        double[] gram = WorkBuffers.Rent(p * p);
        try
        {
            var c = gram.AsSpan(0, p * p);
            if (m <= n) SymmetricGram.AAt(g, m, n, ld, c); else SymmetricGram.AtA(g, m, n, ld, c);
            FromGram(c, p, sigma);
        }
        finally { WorkBuffers.Return(gram); }
    }

    /// <summary>
    /// Singular values from a p×p Gram matrix (lower triangle; destroyed): sqrt(max(λ, 0)), descending.
    /// Use when the caller builds or reuses Grams itself (e.g. summing sub-block Grams).
    /// </summary>
    public static void FromGram(Span<double> gram, int p, Span<double> sigma)
    {
        SymmetricEigen.Values(gram, p, sigma);
        for (int i = 0; i < p; i++) sigma[i] = Math.Sqrt(Math.Max(sigma[i], 0));
    }

    /// <summary>As <see cref="FromGram(Span{double}, int, Span{double})"/> with caller scratch (<see cref="SymmetricEigen.ScratchLength"/>(p)); no allocation.</summary>
    public static void FromGram(Span<double> gram, int p, Span<double> sigma, Span<double> scratch)
    {
        SymmetricEigen.Values(gram, p, sigma, scratch);
        for (int i = 0; i < p; i++) sigma[i] = Math.Sqrt(Math.Max(sigma[i], 0));
    }

    private static void CheckSigma(int length, int p)
    {
        if (length < p) throw new ArgumentException($"sigma holds {length}; min(m, n) = {p} values are written", "sigma");
    }
}
