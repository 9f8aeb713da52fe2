using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix.
/// </summary>
/// <remarks>
/// <see cref="Values"/> is the Pal–Walker–Kahan root-free QL/QR iteration of LAPACK dsterf (block splitting,
/// per-block scaling, QL or QR chosen by which end is smaller); absolute error ≈ eps·‖T‖.
/// <see cref="ValuesAndVectors"/> is the implicit QL of EISPACK tql2; its rotations act on rows of Zᵀ
/// so they vectorise.
/// </remarks>
internal static class TridiagonalEigen
{
    private const double Eps = 1.1102230246251565e-16;   // 2^-53, LAPACK dlamch('E')
    private const double SafeMin = 2.2250738585072014e-308;

    /// <summary>Eigenvalues of T = tridiag(e, d, e) into d, ascending; e (length ≥ n−1) is destroyed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Values(Span<double> d, Span<double> e, int n)
    {
        if (n <= 1) return;
        var a = new Pwk(n);
        while (a.Advance(d, e)) SweepOne(ref a, d, e);
        d.Slice(0, n).Sort();
    }

    /// <summary>
    /// <see cref="Values"/> of two independent tridiagonals at once: their QL/QR sweeps run in lockstep in one loop,
    /// so the division chain of one overlaps that of the other. Every operation on each matrix is the one
    /// <see cref="Values"/> performs, so the results are bit-identical to two separate calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ValuesPair(Span<double> d1, Span<double> e1, int n1, Span<double> d2, Span<double> e2, int n2)
    {
        if (n1 <= 1) { Values(d2, e2, n2); return; }
        if (n2 <= 1) { Values(d1, e1, n1); return; }
        var a = new Pwk(n1);
        var b = new Pwk(n2);
        bool moreA = a.Advance(d1, e1), moreB = b.Advance(d2, e2);
        while (moreA && moreB)
        {
            SweepTwo(ref a, d1, e1, ref b, d2, e2);
            moreA = a.Advance(d1, e1);
            moreB = b.Advance(d2, e2);
        }
        while (moreA) { SweepOne(ref a, d1, e1); moreA = a.Advance(d1, e1); }
        while (moreB) { SweepOne(ref b, d2, e2); moreB = b.Advance(d2, e2); }
        d1.Slice(0, n1).Sort();
        d2.Slice(0, n2).Sort();
    }

    /// <summary>
    /// One PWK sweep, direction-free: step j reads e[er], d[dr] and writes d[dr − step] and (j &gt; 0) e at the
    /// previous read position, with er, dr moving by <c>step</c> (−1 for QL, +1 for QR).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SweepOne(ref Pwk st, Span<double> dSpan, Span<double> eSpan)
    {
        ref double d = ref MemoryMarshal.GetReference(dSpan);
        ref double e = ref MemoryMarshal.GetReference(eSpan);
        int step = st.Step, er = st.ERead, dr = st.DRead;
        double sigma = st.Sigma, c = 1, s = 0, gamma = st.Gamma, p = gamma * gamma;
        for (int j = 0; j < st.Length; j++, er += step, dr += step)
            Step(ref d, ref e, j, er, dr, step, sigma, ref c, ref s, ref gamma, ref p);
        Unsafe.Add(ref e, er - step) = s * p;
        Unsafe.Add(ref d, dr - step) = sigma + gamma;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SweepTwo(ref Pwk a, Span<double> d1, Span<double> e1, ref Pwk b, Span<double> d2, Span<double> e2)
    {
        ref double da = ref MemoryMarshal.GetReference(d1);
        ref double ea = ref MemoryMarshal.GetReference(e1);
        ref double db = ref MemoryMarshal.GetReference(d2);
        ref double eb = ref MemoryMarshal.GetReference(e2);
        int stepA = a.Step, erA = a.ERead, drA = a.DRead, stepB = b.Step, erB = b.ERead, drB = b.DRead;
        double sigmaA = a.Sigma, cA = 1, sA = 0, gammaA = a.Gamma, pA = gammaA * gammaA;
        double sigmaB = b.Sigma, cB = 1, sB = 0, gammaB = b.Gamma, pB = gammaB * gammaB;
        int both = Math.Min(a.Length, b.Length), j = 0;
        for (; j < both; j++, erA += stepA, drA += stepA, erB += stepB, drB += stepB)
        {
            Step(ref da, ref ea, j, erA, drA, stepA, sigmaA, ref cA, ref sA, ref gammaA, ref pA);
            Step(ref db, ref eb, j, erB, drB, stepB, sigmaB, ref cB, ref sB, ref gammaB, ref pB);
        }
        for (int k = j; k < a.Length; k++, erA += stepA, drA += stepA)
            Step(ref da, ref ea, k, erA, drA, stepA, sigmaA, ref cA, ref sA, ref gammaA, ref pA);
        for (int k = j; k < b.Length; k++, erB += stepB, drB += stepB)
            Step(ref db, ref eb, k, erB, drB, stepB, sigmaB, ref cB, ref sB, ref gammaB, ref pB);
        Unsafe.Add(ref ea, erA - stepA) = sA * pA;
        Unsafe.Add(ref da, drA - stepA) = sigmaA + gammaA;
        Unsafe.Add(ref eb, erB - stepB) = sB * pB;
        Unsafe.Add(ref db, drB - stepB) = sigmaB + gammaB;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref double d, ref double e, int j, int er, int dr, int step, double sigma,
        ref double c, ref double s, ref double gamma, ref double p)
    {
        double bb = Unsafe.Add(ref e, er);
        double r = p + bb;
        if (j != 0) Unsafe.Add(ref e, er - step) = s * r;
        double oldc = c;
        // Both quotients depend only on r and p, so they issue together: the serial chain per step
        // holds one division instead of dsterf's two (p = γ²/c = γ²·(r/p)).
        double rp = r / p;
        c = p / r;
        s = bb / r;
        double oldgam = gamma;
        double alpha = Unsafe.Add(ref d, dr);
        gamma = c * (alpha - sigma) - s * oldgam;
        Unsafe.Add(ref d, dr - step) = oldgam + (alpha - gamma);
        p = c != 0 ? gamma * (gamma * rp) : oldc * bb;
    }

    /// <summary>
    /// The control flow of LAPACK dsterf (block splitting, scaling, deflation, QL or QR) as a resumable state:
    /// <see cref="Advance"/> runs until the next sweep is due (described by Step, ERead, DRead, Length, Sigma,
    /// Gamma) or all blocks are done; the caller runs the sweep and calls Advance again.
    /// </summary>
    private struct Pwk(int n)
    {
        private enum Phase { NextBlock, Ql, Qr }

        private readonly int n = n, nmaxit = 30 * n;
        private int jtot, l1, l, m, lsv, lend, lendsv, iscale;
        private double anorm;
        private Phase phase;
        public int Step, ERead, DRead, Length;
        public double Sigma, Gamma;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Advance(Span<double> d, Span<double> e)
        {
            const double eps2 = Eps * Eps;
            double ssfmax = Math.Sqrt(1 / SafeMin) / 3;
            double ssfmin = Math.Sqrt(SafeMin) / eps2;
            double p, rte, sigma, r;
            switch (phase)
            {
                case Phase.Ql: goto QlLoop;
                case Phase.Qr: goto QrLoop;
            }

        NextBlock:
            phase = Phase.NextBlock;
            if (l1 > n - 1) return false;
            if (l1 > 0) e[l1 - 1] = 0;
            for (m = l1; m < n - 1; m++)
            {
                if (Math.Abs(e[m]) <= Math.Sqrt(Math.Abs(d[m])) * Math.Sqrt(Math.Abs(d[m + 1])) * Eps)
                {
                    e[m] = 0;
                    goto Split;
                }
            }
            m = n - 1;
        Split:
            l = l1; lsv = l; lend = m; lendsv = lend; l1 = m + 1;
            if (lend == l) goto NextBlock;

            anorm = 0;
            for (int i = l; i <= lend; i++) anorm = Math.Max(anorm, Math.Abs(d[i]));
            for (int i = l; i < lend; i++) anorm = Math.Max(anorm, Math.Abs(e[i]));
            iscale = 0;
            if (anorm == 0) goto NextBlock;
            if (anorm > ssfmax) { iscale = 1; Scale(d, e, l, lend, ssfmax / anorm); }
            else if (anorm < ssfmin) { iscale = 2; Scale(d, e, l, lend, ssfmin / anorm); }
            for (int i = l; i < lend; i++) e[i] *= e[i];

            if (Math.Abs(d[lend]) < Math.Abs(d[l])) { lend = lsv; l = lendsv; }
            if (lend < l) goto QrLoop;

        QlLoop:
            phase = Phase.Ql;
            m = lend;
            if (l != lend)
                for (int i = l; i < lend; i++)
                    if (Math.Abs(e[i]) <= eps2 * Math.Abs(d[i] * d[i + 1])) { m = i; break; }
            if (m < lend) e[m] = 0;
            p = d[l];
            if (m == l) goto QlFound;
            if (m == l + 1)
            {
                rte = Math.Sqrt(e[l]);
                Eigen2(d[l], rte, d[l + 1], out d[l], out d[l + 1]);
                e[l] = 0;
                l += 2;
                if (l <= lend) goto QlLoop;
                goto BlockDone;
            }
            if (jtot == nmaxit) goto BlockDone;
            jtot++;
            rte = Math.Sqrt(e[l]);
            sigma = (d[l + 1] - p) / (2 * rte);
            r = Hypot1(sigma);
            sigma = p - rte / (sigma + Math.CopySign(r, sigma));
            // Sweep i = m−1 … l: reads e[i], d[i]; writes d[i+1], e[i+1]; then e[l], d[l].
            Sigma = sigma; Gamma = d[m] - sigma; Step = -1; ERead = m - 1; DRead = m - 1; Length = m - l;
            return true;
        QlFound:
            d[l] = p;
            l++;
            if (l <= lend) goto QlLoop;
            goto BlockDone;

        QrLoop:
            phase = Phase.Qr;
            m = lend;
            for (int i = l; i >= lend + 1; i--)
                if (Math.Abs(e[i - 1]) <= eps2 * Math.Abs(d[i] * d[i - 1])) { m = i; break; }
            if (m > lend) e[m - 1] = 0;
            p = d[l];
            if (m == l) goto QrFound;
            if (m == l - 1)
            {
                rte = Math.Sqrt(e[l - 1]);
                Eigen2(d[l], rte, d[l - 1], out d[l], out d[l - 1]);
                e[l - 1] = 0;
                l -= 2;
                if (l >= lend) goto QrLoop;
                goto BlockDone;
            }
            if (jtot == nmaxit) goto BlockDone;
            jtot++;
            rte = Math.Sqrt(e[l - 1]);
            sigma = (d[l - 1] - p) / (2 * rte);
            r = Hypot1(sigma);
            sigma = p - rte / (sigma + Math.CopySign(r, sigma));
            // Sweep i = m … l−1: reads e[i], d[i+1]; writes d[i], e[i−1]; then e[l−1], d[l].
            Sigma = sigma; Gamma = d[m] - sigma; Step = 1; ERead = m; DRead = m + 1; Length = l - m;
            return true;
        QrFound:
            d[l] = p;
            l--;
            if (l >= lend) goto QrLoop;

        BlockDone:
            if (iscale == 1) for (int i = lsv; i <= lendsv; i++) d[i] *= anorm / ssfmax;
            if (iscale == 2) for (int i = lsv; i <= lendsv; i++) d[i] *= anorm / ssfmin;
            if (jtot < nmaxit) goto NextBlock;
            throw new ArithmeticException($"tridiagonal QL/QR did not converge in {nmaxit} iterations (order {n})");
        }
    }

    private static void Scale(Span<double> d, Span<double> e, int l, int lend, double f)
    {
        for (int i = l; i <= lend; i++) d[i] *= f;
        for (int i = l; i < lend; i++) e[i] *= f;
    }

    private static double Hypot1(double x)
    {
        double ax = Math.Abs(x);
        return ax > 1 ? ax * Math.Sqrt(1 + 1 / (ax * ax)) : Math.Sqrt(1 + ax * ax);
    }

    // Eigenvalues of [[a, b], [b, c]], |rt1| ≥ |rt2| (LAPACK dlae2).
    private static void Eigen2(double a, double b, double c, out double rt1, out double rt2)
    {
        double sm = a + c, df = a - c, adf = Math.Abs(df), tb = b + b, ab = Math.Abs(tb);
        double acmx = a, acmn = c;
        if (Math.Abs(a) <= Math.Abs(c)) { acmx = c; acmn = a; }
        double rt = adf > ab ? adf * Math.Sqrt(1 + (ab / adf) * (ab / adf))
            : adf < ab ? ab * Math.Sqrt(1 + (adf / ab) * (adf / ab))
            : ab * Math.Sqrt(2.0);
        if (sm < 0) { rt1 = 0.5 * (sm - rt); rt2 = acmx / rt1 * acmn - b / rt1 * b; }
        else if (sm > 0) { rt1 = 0.5 * (sm + rt); rt2 = acmx / rt1 * acmn - b / rt1 * b; }
        else { rt1 = 0.5 * rt; rt2 = -0.5 * rt; }
    }

    /// <summary>
    /// Eigenvalues into d (ascending) and eigenvectors as the rows of <paramref name="zt"/> (n×n, row-major):
    /// on entry zt holds the basis to rotate (identity, or Qᵀ), on exit row r is the eigenvector of d[r]
    /// in that basis. e[i] couples i and i+1 (length ≥ n) and is destroyed.
    /// </summary>
    public static void ValuesAndVectors(Span<double> d, Span<double> e, int n, Span<double> zt, int ldz)
    {
        if (n <= 1) return;
        e[n - 1] = 0;
        double f = 0, tst1 = 0;
        const double eps = 2.220446049250313e-16;
        int budget = 30 * n;
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.Abs(e[m]) > eps * tst1) m++;
            if (m > l)
            {
                do
                {
                    if (--budget < 0) throw new ArithmeticException($"tridiagonal QL did not converge (order {n})");
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, el1 = e[l + 1], s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2; c2 = c; s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        Rotate(zt.Slice(i * ldz, n), zt.Slice((i + 1) * ldz, n), c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
        // Selection sort, ascending, swapping vector rows (n swaps at most).
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            for (int j = i + 1; j < n; j++) if (d[j] < d[k]) k = j;
            if (k != i)
            {
                (d[i], d[k]) = (d[k], d[i]);
                var ri = zt.Slice(i * ldz, n); var rk = zt.Slice(k * ldz, n);
                for (int t = 0; t < n; t++) (ri[t], rk[t]) = (rk[t], ri[t]);
            }
        }
    }

    private static double Hypot(double a, double b)
    {
        a = Math.Abs(a); b = Math.Abs(b);
        if (a < b) (a, b) = (b, a);
        if (a == 0) return 0;
        double q = b / a;
        return a * Math.Sqrt(1 + q * q);
    }

    /// <summary>(x, y) ← (c·x − s·y, s·x + c·y), elementwise.</summary>
    internal static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int n = x.Length, j = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated && SimdLevel.Width == 512)
        {
            var vc = Vector512.Create(c); var vs = Vector512.Create(s);
            for (; j <= n - 8; j += 8)
            {
                var a = Vector512.LoadUnsafe(ref xr, (nuint)j); var b = Vector512.LoadUnsafe(ref yr, (nuint)j);
                (vc * a - vs * b).StoreUnsafe(ref xr, (nuint)j);
                (vs * a + vc * b).StoreUnsafe(ref yr, (nuint)j);
            }
        }
        else if (Vector256.IsHardwareAccelerated && SimdLevel.Width >= 256)
        {
            var vc = Vector256.Create(c); var vs = Vector256.Create(s);
            for (; j <= n - 4; j += 4)
            {
                var a = Vector256.LoadUnsafe(ref xr, (nuint)j); var b = Vector256.LoadUnsafe(ref yr, (nuint)j);
                (vc * a - vs * b).StoreUnsafe(ref xr, (nuint)j);
                (vs * a + vc * b).StoreUnsafe(ref yr, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            double a = Unsafe.Add(ref xr, j), b = Unsafe.Add(ref yr, j);
            Unsafe.Add(ref xr, j) = c * a - s * b;
            Unsafe.Add(ref yr, j) = s * a + c * b;
        }
    }
}
