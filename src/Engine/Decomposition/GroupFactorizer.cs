namespace Alds.Engine.Decomposition;

/// <summary>Placeholder: top-j singular triplets by one-sided Jacobi (replaced by Linalg.TruncatedSvd).</summary>
internal static class GroupFactorizer
{
    /// <param name="u">m × rank, row-major</param>
    /// <param name="vt">rank × n, row-major</param>
    public static void TopSingularTriplets(ReadOnlySpan<double> a, int m, int n, int lda, int rank, Span<double> u, Span<double> s, Span<double> vt)
    {
        // One-sided Jacobi on the columns of Aᵀ (n×m works on rows of A): orthogonalise rows of B = A (m rows of length n)
        var b = new double[m * n];
        for (int i = 0; i < m; i++) a.Slice(i * lda, n).CopyTo(b.AsSpan(i * n, n));
        var v = new double[m * m];
        for (int i = 0; i < m; i++) v[i * m + i] = 1;
        for (int sweep = 0; sweep < 60; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < m; p++)
                for (int q = p + 1; q < m; q++)
                {
                    var bp = b.AsSpan(p * n, n); var bq = b.AsSpan(q * n, n);
                    double alpha = System.Numerics.Tensors.TensorPrimitives.Dot<double>(bp, bp);
                    double beta = System.Numerics.Tensors.TensorPrimitives.Dot<double>(bq, bq);
                    double gamma = System.Numerics.Tensors.TensorPrimitives.Dot<double>(bp, bq);
                    if (Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta) || gamma == 0) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), sn = c * t;
                    for (int x = 0; x < n; x++) { double y1 = bp[x], y2 = bq[x]; bp[x] = c * y1 - sn * y2; bq[x] = sn * y1 + c * y2; }
                    for (int x = 0; x < m; x++) { double y1 = v[x * m + p], y2 = v[x * m + q]; v[x * m + p] = c * y1 - sn * y2; v[x * m + q] = sn * y1 + c * y2; }
                }
            if (!rotated) break;
        }
        // rows of B = σ_p u... : A = V B  ⇒  B rows are σ_p · (right singular vector p)ᵀ, V columns the left vectors.
        var norms = Enumerable.Range(0, m).Select(p => Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<double>(b.AsSpan(p * n, n), b.AsSpan(p * n, n)))).ToArray();
        var order = Enumerable.Range(0, m).OrderByDescending(p => norms[p]).ThenBy(p => p).ToArray();
        for (int r = 0; r < rank; r++)
        {
            int p = order[r];
            s[r] = norms[p];
            for (int x = 0; x < n; x++) vt[r * n + x] = norms[p] > 0 ? b[p * n + x] / norms[p] : 0;
            for (int x = 0; x < m; x++) u[x * rank + r] = v[x * m + p];
        }
    }
}
