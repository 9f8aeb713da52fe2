using System.Numerics.Tensors;

namespace Alds.Engine.Linalg;

/// <summary>
/// The top-<see cref="Rank"/> singular triplets of a dense float64 matrix: G ≈ U·diag(S)·Vᵀ.
/// </summary>
/// <remarks>
/// Method: eigenvectors of the smaller Gram (fused Householder tridiagonalisation + implicit QL with vector
/// accumulation, back-transformed), B = Uᵀ·G, then one-sided Jacobi on the rows of B, rotating U alike so
/// U·B stays the projection U Uᵀ G. Precision contract: ‖UᵀU − I‖ and ‖VᵀV − I‖ ≤ ~1e-13 (tests use 1e-10);
/// ‖G − U S Vᵀ‖_F equals the optimal sqrt(Σ_{i>Rank} σ_i²) within 1e-9·‖G‖_F; S descends. Directions with
/// σ = 0 (rank-deficient G) get σ = 0 and orthonormal completion vectors. Single-threaded.
/// </remarks>
public sealed class TruncatedSvd
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>Rows m of G.</summary>
    public int Rows { get; }
    /// <summary>Columns n of G.</summary>
    public int Cols { get; }
    /// <summary>Number of triplets j.</summary>
    public int Rank { get; }
    /// <summary>Left singular vectors, Rows×Rank, row-major (column r is u_r).</summary>
    public double[] U { get; }
    /// <summary>Singular values, descending, Rank entries.</summary>
    public double[] S { get; }
    /// <summary>Right singular vectors transposed, Rank×Cols, row-major (row r is v_rᵀ).</summary>
    public double[] Vt { get; }

    private TruncatedSvd(int m, int n, int j, double[] u, double[] s, double[] vt)
    {
        Rows = m; Cols = n; Rank = j; U = u; S = s; Vt = vt;
    }

    /// <summary>Top-<paramref name="rank"/> SVD of the m×n view g (row stride ld); 0 ≤ rank ≤ min(m, n).</summary>
    public static TruncatedSvd Compute(ReadOnlySpan<double> g, int m, int n, int ld, int rank)
    {
        SymmetricGram.CheckView(g.Length, m, n, ld, nameof(g));
        if (rank < 0 || rank > Math.Min(m, n))
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} outside 0..min({m}, {n})");
        foreach (int i in Enumerable.Range(0, m))
            if (!TensorPrimitives.IsFiniteAll(g.Slice(i * ld, n)))
                throw new ArgumentException($"matrix has a non-finite entry in row {i}", nameof(g));

        // Work on A (p×q, p ≤ q): G itself, or Gᵀ.
        bool transposed = m > n;
        int p = Math.Min(m, n), q = Math.Max(m, n);
        double[] aT = [];
        ReadOnlySpan<double> a = g;
        int lda = ld;
        if (transposed)
        {
            aT = new double[p * q];
            for (int i = 0; i < m; i++)
                for (int c = 0; c < n; c++) aT[c * q + i] = g[i * ld + c];
            a = aT; lda = q;
        }
        int j = rank;
        var ut = new double[j * p];   // rows: left vectors of A
        var b = new double[j * q];    // rows: σ_r v_rᵀ of A after Jacobi
        var s = new double[j];
        if (j > 0)
        {
            TopEigenvectors(a, p, q, lda, j, ut);
            Gemm.Multiply(ut, j, p, p, a, q, lda, b, q);
            Jacobi(b, ut, j, q, p);
            Normalise(b, s, j, q);
        }
        if (!transposed) return new TruncatedSvd(m, n, j, Transpose(ut, j, p), s, b);
        // A = Gᵀ = Utᵀ S V  ⇒  G = Vᵀ S Ut.
        return new TruncatedSvd(m, n, j, Transpose(b, j, q), s, ut);
    }

    private static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
        return t;
    }

    // Rows of ut (j×p) = eigenvectors of A Aᵀ for its j largest eigenvalues, descending.
    private static void TopEigenvectors(ReadOnlySpan<double> a, int p, int q, int lda, int j, double[] ut)
    {
        var c = new double[p * p];
        SymmetricGram.AAt(a, p, q, lda, c);
        if (SymmetricEigen.ScaleToUnit(c, p) == int.MinValue)
        {
            for (int r = 0; r < j; r++) ut[r * p + r] = 1; // zero matrix: any orthonormal basis
            return;
        }
        var d = new double[p];
        var e = new double[p];
        var refl = new double[p * p];
        var taus = new double[p];
        HouseholderTridiagonal.Reduce(c, p, d, e, new double[HouseholderTridiagonal.ScratchLength(p)], refl, taus);
        var zt = new double[p * p];
        for (int i = 0; i < p; i++) zt[i * p + i] = 1;
        TridiagonalEigen.ValuesAndVectors(d, e, p, zt, p);
        for (int r = 0; r < j; r++)
        {
            var x = ut.AsSpan(r * p, p);
            zt.AsSpan((p - 1 - r) * p, p).CopyTo(x);
            // x = H₀ H₁ … H_{p−3} z.
            for (int k = p - 3; k >= 0; k--)
            {
                double tau = taus[k];
                if (tau == 0) continue;
                var v = refl.AsSpan(k * p + k + 1, p - k - 1);
                var xs = x.Slice(k + 1);
                double f = tau * TensorPrimitives.Dot<double>(v, xs);
                TensorPrimitives.MultiplyAdd(v, -f, xs, xs);
            }
        }
    }

    // One-sided (Hestenes) Jacobi on the rows of b (j×q), applying each rotation to the rows of ut (j×p) too.
    private static void Jacobi(double[] b, double[] ut, int j, int q, int p)
    {
        double tol = Eps * Math.Sqrt(q) * 4;
        var norm2 = new double[j];
        for (int sweep = 0; sweep < 60; sweep++)
        {
            for (int r = 0; r < j; r++) { var br = b.AsSpan(r * q, q); norm2[r] = TensorPrimitives.Dot<double>(br, br); }
            bool rotated = false;
            for (int r = 0; r < j - 1; r++)
                for (int t = r + 1; t < j; t++)
                {
                    double alpha = norm2[r], beta = norm2[t];
                    if (alpha == 0 || beta == 0) continue;
                    var x = b.AsSpan(r * q, q); var y = b.AsSpan(t * q, q);
                    double gamma = TensorPrimitives.Dot<double>(x, y);
                    if (Math.Abs(gamma) <= tol * Math.Sqrt(alpha) * Math.Sqrt(beta)) continue;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double tan = Math.Abs(zeta) > 1e150 ? 1 / (2 * zeta)
                        : Math.CopySign(1, zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double cs = 1 / Math.Sqrt(1 + tan * tan), sn = cs * tan;
                    TridiagonalEigen.Rotate(x, y, cs, sn);
                    TridiagonalEigen.Rotate(ut.AsSpan(r * p, p), ut.AsSpan(t * p, p), cs, sn);
                    norm2[r] = alpha - tan * gamma;
                    norm2[t] = beta + tan * gamma;
                    rotated = true;
                }
            if (!rotated) break;
        }
        // Order by row norm, descending (selection sort: j swaps at most).
        for (int r = 0; r < j; r++) { var br = b.AsSpan(r * q, q); norm2[r] = TensorPrimitives.Dot<double>(br, br); }
        for (int r = 0; r < j - 1; r++)
        {
            int best = r;
            for (int t = r + 1; t < j; t++) if (norm2[t] > norm2[best]) best = t;
            if (best == r) continue;
            (norm2[r], norm2[best]) = (norm2[best], norm2[r]);
            Swap(b.AsSpan(r * q, q), b.AsSpan(best * q, q));
            Swap(ut.AsSpan(r * p, p), ut.AsSpan(best * p, p));
        }
    }

    private static void Swap(Span<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++) (x[i], y[i]) = (y[i], x[i]);
    }

    // Rows of b → σ_r (norm) and unit v_r; null rows get σ = 0 and an orthonormal completion.
    private static void Normalise(double[] b, double[] s, int j, int q)
    {
        for (int r = 0; r < j; r++) s[r] = TensorPrimitives.Norm<double>(b.AsSpan(r * q, q));
        double floor = s[0] * 1e-150;
        int next = 0;
        for (int r = 0; r < j; r++)
        {
            var x = b.AsSpan(r * q, q);
            if (s[r] > floor && s[r] > 0) { TensorPrimitives.Divide(x, s[r], x); continue; }
            s[r] = 0;
            while (true)
            {
                x.Clear();
                x[next++ % q] = 1;
                for (int pass = 0; pass < 2; pass++)
                    for (int t = 0; t < r; t++)
                    {
                        var v = b.AsSpan(t * q, q);
                        TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot<double>(v, x), x, x);
                    }
                double nrm = TensorPrimitives.Norm<double>(x);
                if (nrm > 0.5) { TensorPrimitives.Divide(x, nrm, x); break; }
            }
        }
    }
}
