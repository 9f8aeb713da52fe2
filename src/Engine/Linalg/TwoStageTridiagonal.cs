using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Alds.Engine.Linalg;

/// <summary>
/// Two-stage tridiagonalisation for eigenvalues only (the scheme of LAPACK dsytrd_2stage): first to a band of
/// half-width <see cref="Bandwidth"/> by blocked Householder QR of column panels with a two-sided compact-WY update
/// of the trailing matrix (level 3: two packed products per panel), then from the band to tridiagonal by
/// Householder bulge chasing (Lang's successive band reduction, one column per sweep, blocks of the band's width).
/// No reflectors are kept: the result is d and e only.
/// </summary>
/// <remarks>
/// Why: the one-stage reductions (<see cref="HouseholderTridiagonal"/>, <see cref="BlockedTridiagonal"/>) need one
/// symmetric product per column that reads the whole trailing matrix — at order 4096 that is 4,096 passes over up to
/// 128 MiB, bound by memory, not arithmetic. Here the matrix is read once per panel of <see cref="Bandwidth"/> columns,
/// inside packed products that run at the multiply-add units' speed; the bulge chasing works on blocks of the band's
/// width that stay in L1.
/// Arithmetic: the trailing update keeps the whole square (both triangles) so that the next panel's product is a plain
/// product: 2n³ flops in stage 1 (dsytrd: 4n³/3, but memory-bound), about 6n²·b in stage 2.
/// Precision: every step is an orthogonal similarity built from Householder reflectors in float64 with fused
/// multiply-adds, so the result is backward stable like dsytrd (|λ(T) − λ(A)| ≲ c·n·eps·‖A‖₂). The caller scales A so
/// that its largest entry is near 1 (no overflow or underflow in the reflector norms).
/// Determinism: the packed products fix their summation order by shape; everything else runs on one thread, so the
/// result is bit-identical for any thread count.
/// Memory: works in place in the caller's n×n array (its upper triangle is overwritten), plus O(n·b) vectors.
/// Not dispatched by <see cref="TridiagonalReduction"/>: on the 2-core AMD EPYC development machine it was slower than
/// <see cref="BlockedTridiagonal"/> at every order measured (<c>LargeEigenBench</c>, bench/README.md), because the
/// packed products reach only about half their in-cache speed at the depths 2b and b used here. Kept, with its tests
/// and benchmark, as the route for machines where the one-stage reduction is memory-bound.
/// </remarks>
internal static class TwoStageTridiagonal
{
    /// <summary>Half-width of the intermediate band, and the panel width of stage 1.</summary>
    internal const int Bandwidth = 64;

    /// <summary>
    /// Reduces the symmetric n×n matrix whose lower triangle is in <paramref name="a"/> (row stride n; the whole array
    /// is overwritten) to the tridiagonal with diagonal <paramref name="d"/> (n) and sub-diagonal <paramref name="e"/>
    /// (n − 1), orthogonally similar to it. Stage 1's products run on up to the given threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, int maxDegreeOfParallelism)
    {
        if (a.Length < (long)n * n) throw new ArgumentException($"matrix holds {a.Length} elements; order {n} needs {(long)n * n}", nameof(a));
        if (n == 0) return;
        fixed (double* p = a)
        {
            MirrorLowerToUpper(p, n);
            ReduceToBand(p, n, Bandwidth, maxDegreeOfParallelism);
            ChaseBulges(p, n, Bandwidth);
        }
        for (int i = 0; i < n; i++) d[i] = a[i * n + i];
        for (int i = 0; i + 1 < n; i++) e[i] = a[(i + 1) * n + i];
    }

    // Upper triangle ← lower, in tiles so that both sides of the copy stay in cache.
    private static unsafe void MirrorLowerToUpper(double* a, int n)
    {
        const int tile = 32;
        for (int i0 = 0; i0 < n; i0 += tile)
            for (int j0 = 0; j0 <= i0; j0 += tile)
            {
                int i1 = Math.Min(n, i0 + tile), j1 = Math.Min(n, j0 + tile);
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < Math.Min(j1, i); j++)
                        a[(long)j * n + i] = a[(long)i * n + j];
            }
    }

    /// <summary>
    /// Stage 1: for each panel of b columns k … k+b−1, the QR factorisation of the rows below the band,
    /// <c>A[k+b:, k:k+b] = Q R</c> with <c>Q = I − V T Vᵀ</c>; R replaces the panel (the band), and the trailing square
    /// takes <c>A ← Qᵀ A Q = A − V Wᵀ − W Vᵀ</c> with <c>X = A V T</c>, <c>W = X − ½ V (Tᵀ Vᵀ X)</c>.
    /// </summary>
    private static unsafe void ReduceToBand(double* a, int n, int b, int threads)
    {
        if (n - b < 2) return;
        int mMax = n - b;
        var v = new double[(long)mMax * b];      // the panel, then its reflectors (row-major, stride b)
        var x = new double[(long)mMax * b];      // A V, then A V T, then W
        var left = new double[(long)mMax * 2 * b];  // [V W]
        var right = new double[(long)mMax * 2 * b]; // [W V]
        var t = new double[b * b];
        var gram = new double[b * b];
        var small = new double[b * b];
        var taus = new double[b];
        var betas = new double[b];
        var row = new double[b];
        fixed (double* pv = v, px = x, pl = left, pr = right)
        {
            for (int k = 0; n - k - b >= 2; k += b)
            {
                int m = n - k - b, r = Math.Min(m, b);
                double* panel = a + (long)(k + b) * n + k;
                for (int i = 0; i < m; i++)
                    new Span<double>(panel + (long)i * n, b).CopyTo(new Span<double>(pv + (long)i * b, b));
                PanelQr(pv, m, b, r, taus, betas, row);

                // The band block: R (upper triangle of the panel's first r rows, β on the diagonal); zeros below.
                for (int i = 0; i < m; i++)
                {
                    double* dst = panel + (long)i * n;
                    for (int j = 0; j < b; j++) dst[j] = i < r && j > i ? pv[(long)i * b + j] : i < r && j == i ? betas[i] : 0;
                }
                // V: unit diagonal, zeros above it (the reflectors' leading parts).
                for (int i = 0; i < r; i++)
                {
                    double* vi = pv + (long)i * b;
                    vi[i] = 1;
                    for (int j = i + 1; j < b; j++) vi[j] = 0;
                }

                BuildT(pv, m, b, r, taus, t, gram);

                // X = A22 V, then X ← X T.
                double* a22 = a + (long)(k + b) * n + (k + b);
                PackedGemm.Multiply(MatrixView.Of(a22, m, m, n), MatrixView.Of(pv, m, b, b), px, b, threads);
                MultiplyUpperTriangularRight(px, m, b, t, row);
                // M = Tᵀ (Vᵀ X), then W = X − ½ V M.
                TransposeProduct(pv, px, m, b, small);
                var mMat = new Span<double>(gram);
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++)
                    {
                        double s = 0;
                        for (int q = 0; q <= i; q++) s = Math.FusedMultiplyAdd(t[q * b + i], small[q * b + j], s);
                        mMat[i * b + j] = -0.5 * s;
                    }
                for (int i = 0; i < m; i++)
                {
                    var xi = new Span<double>(px + (long)i * b, b);
                    var vi = new ReadOnlySpan<double>(pv + (long)i * b, b);
                    for (int q = 0; q < b; q++)
                        if (vi[q] != 0) TensorPrimitives.MultiplyAdd(mMat.Slice(q * b, b), vi[q], xi, xi);
                }
                // A22 −= [V W] [W V]ᵀ.
                for (int i = 0; i < m; i++)
                {
                    var vi = new ReadOnlySpan<double>(pv + (long)i * b, b);
                    var wi = new ReadOnlySpan<double>(px + (long)i * b, b);
                    vi.CopyTo(new Span<double>(pl + (long)i * 2 * b, b));
                    wi.CopyTo(new Span<double>(pl + (long)i * 2 * b + b, b));
                    wi.CopyTo(new Span<double>(pr + (long)i * 2 * b, b));
                    vi.CopyTo(new Span<double>(pr + (long)i * 2 * b + b, b));
                }
                PackedGemm.Multiply(MatrixView.Of(pl, m, 2 * b, 2 * b), MatrixView.Of(pr, m, 2 * b, 2 * b, transposed: true),
                    a22, n, threads, subtract: true);
            }
        }
    }

    // Householder QR of the m×b panel (row stride b) in place: reflector j's vector below its diagonal, R above it,
    // R's diagonal in betas (LAPACK dgeqr2 with dlarfg's conventions).
    private static unsafe void PanelQr(double* p, int m, int b, int r, double[] taus, double[] betas, double[] u)
    {
        Array.Clear(taus);
        var column = new double[m];
        for (int j = 0; j < r; j++)
        {
            // The reflector of column j (rows j … m−1, a stride of b apart), made on a contiguous copy.
            var x = column.AsSpan(0, m - j);
            for (int i = j; i < m; i++) x[i - j] = p[(long)i * b + j];
            double tau = HouseholderTridiagonal.House(x, 0, x.Length, out double beta);
            for (int i = j; i < m; i++) p[(long)i * b + j] = x[i - j];
            taus[j] = tau; betas[j] = beta;
            int width = b - j - 1;
            if (tau == 0 || width == 0) continue;
            // Columns j+1 … b−1 ← H_j · them: u = vᵀ P, P −= τ v u.
            var acc = new Span<double>(u, 0, width);
            acc.Clear();
            for (int i = j; i < m; i++)
            {
                double vi = p[(long)i * b + j];
                if (vi != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(p + (long)i * b + j + 1, width), vi, acc, acc);
            }
            for (int i = j; i < m; i++)
            {
                double f = -tau * p[(long)i * b + j];
                if (f != 0)
                {
                    var rowPart = new Span<double>(p + (long)i * b + j + 1, width);
                    TensorPrimitives.MultiplyAdd(acc, f, rowPart, rowPart);
                }
            }
        }
    }

    // T (upper triangular, b×b) of Q = H_0 … H_{r−1} = I − V T Vᵀ (dlarft, forward, column-wise); unused rows and
    // columns beyond r are zero.
    private static unsafe void BuildT(double* v, int m, int b, int r, double[] taus, double[] t, double[] gram)
    {
        Array.Clear(t);
        // gram[i, j] = v_iᵀ v_j for i < j (the strictly upper part of Vᵀ V).
        Array.Clear(gram);
        for (int row = 0; row < m; row++)
        {
            double* vr = v + (long)row * b;
            for (int i = 0; i < r; i++)
                if (vr[i] != 0)
                {
                    var dst = new Span<double>(gram, i * b + i + 1, r - i - 1);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(vr + i + 1, r - i - 1), vr[i], dst, dst);
                }
        }
        for (int j = 0; j < r; j++)
        {
            double tau = taus[j];
            t[j * b + j] = tau;
            // T[0:j, j] = −τ_j T[0:j, 0:j] gram[0:j, j]
            for (int i = 0; i < j; i++)
            {
                double s = 0;
                for (int q = i; q < j; q++) s = Math.FusedMultiplyAdd(t[i * b + q], gram[q * b + j], s);
                t[i * b + j] = -tau * s;
            }
        }
    }

    // x (m×b, stride b) ← x · T for upper triangular T.
    private static unsafe void MultiplyUpperTriangularRight(double* x, int m, int b, double[] t, double[] scratch)
    {
        var tmp = new Span<double>(scratch, 0, b);
        for (int i = 0; i < m; i++)
        {
            var xi = new Span<double>(x + (long)i * b, b);
            tmp.Clear();
            for (int q = 0; q < b; q++)
                if (xi[q] != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(t, q * b + q, b - q), xi[q], tmp.Slice(q), tmp.Slice(q));
            tmp.CopyTo(xi);
        }
    }

    // result (b×b) = Vᵀ X for V, X m×b (stride b).
    private static unsafe void TransposeProduct(double* v, double* x, int m, int b, double[] result)
    {
        Array.Clear(result);
        for (int row = 0; row < m; row++)
        {
            var xr = new ReadOnlySpan<double>(x + (long)row * b, b);
            double* vr = v + (long)row * b;
            for (int i = 0; i < b; i++)
                if (vr[i] != 0)
                {
                    var dst = new Span<double>(result, i * b, b);
                    TensorPrimitives.MultiplyAdd(xr, vr[i], dst, dst);
                }
        }
    }

    /// <summary>
    /// Stage 2: the band (lower half-width b, the lower triangle of row stride n, zero outside the band) to
    /// tridiagonal. Sweep s annihilates column s below its sub-diagonal with one reflector on rows s+1 … s+b, then
    /// chases the bulge that reflector creates down the band, one block of b rows at a time: each block's reflector
    /// annihilates the first column of the bulge. Only the lower triangle is read and written.
    /// </summary>
    private static unsafe void ChaseBulges(double* a, int n, int b)
    {
        var v = new double[b];
        var w = new double[b];
        for (int s = 0; s + 2 < n; s++)
        {
            int j0 = s + 1, len = Math.Min(b, n - j0);
            double tau = Reflector(a, n, j0, len, s, v);
            if (tau != 0) TwoSided(a, n, j0, len, v, tau, w);
            while (true)
            {
                int next = j0 + len, nextLen = Math.Min(b, n - next);
                if (nextLen <= 0) break;
                if (tau != 0) ApplyRight(a, n, next, nextLen, j0, len, v, tau);
                // The bulge's first column (column j0, rows next … next+nextLen−1) becomes β e₁.
                tau = Reflector(a, n, next, nextLen, j0, v);
                if (tau != 0)
                {
                    ApplyLeft(a, n, next, nextLen, j0 + 1, len - 1, v, tau, w);
                    TwoSided(a, n, next, nextLen, v, tau, w);
                }
                j0 = next;
                len = nextLen;
            }
        }
    }

    // The reflector H = I − τ v vᵀ (v[0] = 1) with H·A[r0 … r0+len−1, c] = β e₁; writes β and the zeros into A.
    private static unsafe double Reflector(double* a, int n, int r0, int len, int c, double[] v)
    {
        double* col = a + (long)r0 * n + c;
        var x = v.AsSpan(0, len);
        for (int i = 0; i < len; i++) x[i] = col[(long)i * n];
        double tau = HouseholderTridiagonal.House(x, 0, len, out double beta);
        col[0] = beta;
        for (int i = 1; i < len; i++) col[(long)i * n] = 0;
        return tau;
    }

    // A[r0 … r0+len−1, same] ← H A H for the symmetric block (lower triangle): w = τ A v, w −= ½ τ (wᵀv) v,
    // A −= v wᵀ + w vᵀ (LAPACK dsytd2's step).
    private static unsafe void TwoSided(double* a, int n, int r0, int len, double[] vArr, double tau, double[] wArr)
    {
        var v = new ReadOnlySpan<double>(vArr, 0, len);
        var w = new Span<double>(wArr, 0, len);
        w.Clear();
        for (int i = 0; i < len; i++)
        {
            var row = new Span<double>(a + (long)(r0 + i) * n + r0, i + 1);
            w[i] += TensorPrimitives.Dot(row, v.Slice(0, i + 1));
            if (i > 0 && v[i] != 0) TensorPrimitives.MultiplyAdd(row.Slice(0, i), v[i], w.Slice(0, i), w.Slice(0, i));
        }
        TensorPrimitives.Multiply(w, tau, w);
        double alpha = -0.5 * tau * TensorPrimitives.Dot(w, v);
        TensorPrimitives.MultiplyAdd(v, alpha, w, w);
        for (int i = 0; i < len; i++)
        {
            var row = new Span<double>(a + (long)(r0 + i) * n + r0, i + 1);
            TensorPrimitives.MultiplyAdd(w.Slice(0, i + 1), -v[i], row, row);
            TensorPrimitives.MultiplyAdd(v.Slice(0, i + 1), -w[i], row, row);
        }
    }

    // A[rows, c0 … c0+len−1] ← A · H for the rows r0 … r0+rows−1.
    private static unsafe void ApplyRight(double* a, int n, int r0, int rows, int c0, int len, double[] vArr, double tau)
    {
        var v = new ReadOnlySpan<double>(vArr, 0, len);
        for (int i = 0; i < rows; i++)
        {
            var row = new Span<double>(a + (long)(r0 + i) * n + c0, len);
            double f = -tau * TensorPrimitives.Dot(row, v);
            if (f != 0) TensorPrimitives.MultiplyAdd(v, f, row, row);
        }
    }

    // A[r0 … r0+rows−1, c0 … c0+cols−1] ← H · A.
    private static unsafe void ApplyLeft(double* a, int n, int r0, int rows, int c0, int cols, double[] v, double tau, double[] uArr)
    {
        if (cols <= 0) return;
        var u = new Span<double>(uArr, 0, cols);
        u.Clear();
        for (int i = 0; i < rows; i++)
            if (v[i] != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(a + (long)(r0 + i) * n + c0, cols), v[i], u, u);
        for (int i = 0; i < rows; i++)
        {
            double f = -tau * v[i];
            if (f == 0) continue;
            var row = new Span<double>(a + (long)(r0 + i) * n + c0, cols);
            TensorPrimitives.MultiplyAdd(u, f, row, row);
        }
    }
}
