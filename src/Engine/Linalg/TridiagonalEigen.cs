using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix.
/// </summary>
/// <remarks>
/// <see cref="Values"/> is the Pal–Walker–Kahan root-free QL/QR iteration of LAPACK dsterf (block splitting,
/// per-block scaling, QL or QR chosen by which end is smaller; a QR block runs as QL on the reversed block,
/// which is the same arithmetic); precision contract: backward stable, each eigenvalue within a few·n·eps·‖T‖
/// (the dsterf bound; the results are dsterf's operations in dsterf's order).
/// <see cref="ValuesPair"/> and <see cref="ValuesQuad"/> interleave independent matrices, bit-identical to
/// <see cref="Values"/> on each.
/// <see cref="ValuesAndVectors"/> is the implicit QL of EISPACK tql2; its rotations act on rows of Zᵀ
/// so they vectorise.
/// </remarks>
internal static class TridiagonalEigen
{
    private const double Eps = 1.1102230246251565e-16;   // 2^-53, LAPACK dlamch('E')
    private const double SafeMin = 2.2250738585072014e-308;

    /// <summary>Eigenvalues of T = tridiag(e, d, e) into d, ascending; e (length ≥ n−1) is destroyed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Values(Span<double> d, Span<double> e, int n)
    {
        if (n <= 1) return;
        Check(d, e, n);
        fixed (double* pd = d, pe = e)
        {
            Lane* lanes = stackalloc Lane[1];
            lanes[0] = new Lane(pd, pe, n, e.Length);
            Run(lanes, 1);
        }
        d.Slice(0, n).Sort();
    }

    /// <summary>
    /// <see cref="Values"/> of two independent tridiagonals at once (see <see cref="ValuesQuad"/>): results
    /// bit-identical to two separate calls.
    /// </summary>
    public static void ValuesPair(Span<double> d1, Span<double> e1, int n1, Span<double> d2, Span<double> e2, int n2) =>
        ValuesQuad(d1, e1, n1, d2, e2, n2, default, default, 0, default, default, 0);

    /// <summary>
    /// <see cref="Values"/> of up to four independent tridiagonals at once (an order ≤ 1 leaves its slot idle).
    /// Each matrix runs its own stream of QL/QR steps; the streams advance in lockstep in one loop, so the
    /// division chains of up to four matrices overlap on one core. When a sweep of one matrix ends, that matrix
    /// alone takes its next control-flow decision and rejoins the loop, so the interleaving does not depend on
    /// the other matrices' sweep lengths. Every arithmetic operation on each matrix is the one <see cref="Values"/>
    /// performs, in the same order, so the results are bit-identical to separate calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ValuesQuad(Span<double> d1, Span<double> e1, int n1, Span<double> d2, Span<double> e2, int n2,
        Span<double> d3, Span<double> e3, int n3, Span<double> d4, Span<double> e4, int n4)
    {
        if (n1 > 1) Check(d1, e1, n1);
        if (n2 > 1) Check(d2, e2, n2);
        if (n3 > 1) Check(d3, e3, n3);
        if (n4 > 1) Check(d4, e4, n4);
        fixed (double* pd1 = d1, pe1 = e1, pd2 = d2, pe2 = e2, pd3 = d3, pe3 = e3, pd4 = d4, pe4 = e4)
        {
            Lane* lanes = stackalloc Lane[4];
            int count = 0;
            if (n1 > 1) lanes[count++] = new Lane(pd1, pe1, n1, e1.Length);
            if (n2 > 1) lanes[count++] = new Lane(pd2, pe2, n2, e2.Length);
            if (n3 > 1) lanes[count++] = new Lane(pd3, pe3, n3, e3.Length);
            if (n4 > 1) lanes[count++] = new Lane(pd4, pe4, n4, e4.Length);
            Run(lanes, count);
        }
        if (n1 > 1) d1.Slice(0, n1).Sort();
        if (n2 > 1) d2.Slice(0, n2).Sort();
        if (n3 > 1) d3.Slice(0, n3).Sort();
        if (n4 > 1) d4.Slice(0, n4).Sort();
    }

    private static void Check(Span<double> d, Span<double> e, int n)
    {
        if (d.Length < n) throw new ArgumentException($"diagonal holds {d.Length}; order {n} needs {n}", nameof(d));
        if (e.Length < n - 1) throw new ArgumentException($"off-diagonal holds {e.Length}; order {n} needs {n - 1}", nameof(e));
    }

    /// <summary>
    /// One matrix's state: the dsterf control flow plus the running registers of its current QL sweep, which
    /// reads e[I], d[I] and writes e[I+1], d[I+1] as I moves down; Rem steps are left.
    /// </summary>
    private unsafe struct Lane(double* d, double* e, int n, int eLength)
    {
        public readonly double* D = d, E = e;
        public readonly int N = n, ELength = eLength;
        public Pwk Pwk = new(n);
        public int I, Rem;
        public double Sigma, C, S, Gamma, P;
    }

    /// <summary>Runs <paramref name="count"/> (≤ 4) lanes to completion, keeping every live lane in the lockstep loop.</summary>
    private static unsafe void Run(Lane* lanes, int count)
    {
        int active = 0;
        for (int i = 0; i < count; i++)
            if (Begin(ref lanes[i])) lanes[active++] = lanes[i];
        while (active > 0)
        {
            switch (active)
            {
                case 4: Steps4(ref lanes[0], ref lanes[1], ref lanes[2], ref lanes[3]); break;
                case 3: Steps3(ref lanes[0], ref lanes[1], ref lanes[2]); break;
                case 2: Steps2(ref lanes[0], ref lanes[1]); break;
                default: Steps1(ref lanes[0]); break;
            }
            // Top down, so a lane moved into slot i has been looked at already.
            for (int i = active - 1; i >= 0; i--)
            {
                if (lanes[i].Rem != 0) continue;
                End(ref lanes[i]);
                if (!Begin(ref lanes[i])) lanes[i] = lanes[--active];
            }
        }
    }

    /// <summary>
    /// Runs the control flow to the next sweep and takes that sweep's first step (which, unlike the others,
    /// stores no off-diagonal); false when the matrix is done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Begin(ref Lane a)
    {
        while (true)
        {
            if (!a.Pwk.Advance(new Span<double>(a.D, a.N), new Span<double>(a.E, a.ELength))) return false;
            int i = a.Pwk.First;
            double sigma = a.Pwk.Sigma, c = 1, gamma = a.Pwk.Gamma, p = gamma * gamma;
            double bb = a.E[i];
            double r = p + bb;
            double oldc = c;
            double rp = r / p;
            c = p / r;
            double s = bb / r;
            double oldgam = gamma;
            double alpha = a.D[i];
            gamma = c * (alpha - sigma) - s * oldgam;
            a.D[i + 1] = oldgam + (alpha - gamma);
            p = c != 0 ? gamma * (gamma * rp) : oldc * bb;
            a.I = i - 1; a.Rem = a.Pwk.Length - 1;
            a.Sigma = sigma; a.C = c; a.S = s; a.Gamma = gamma; a.P = p;
            if (a.Rem > 0) return true;
            End(ref a);
        }
    }

    private static unsafe void End(ref Lane a)
    {
        a.E[a.I + 1] = a.S * a.P;
        a.D[a.I + 1] = a.Sigma + a.Gamma;
    }

    /// <summary>
    /// Step j of a QL sweep whose positions are addressed from bases eb, db (read [j], write [j+1]): the
    /// dsterf step with p = γ²/c computed as γ·(γ·(r/p)), so both quotients depend only on r and p and issue
    /// together (the serial chain per step holds one division instead of two).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Step(double* eb, double* db, nint j, double sigma,
        ref double c, ref double s, ref double gamma, ref double p)
    {
        double bb = eb[j];
        double r = p + bb;
        eb[j + 1] = s * r;
        double oldc = c;
        double rp = r / p;
        c = p / r;
        s = bb / r;
        double oldgam = gamma;
        double alpha = db[j];
        gamma = c * (alpha - sigma) - s * oldgam;
        db[j + 1] = oldgam + (alpha - gamma);
        p = c != 0 ? gamma * (gamma * rp) : oldc * bb;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Steps1(ref Lane a)
    {
        int k = a.Rem;
        double* eA = a.E + (a.I - k + 1), dA = a.D + (a.I - k + 1);
        double sgA = a.Sigma, cA = a.C, sA = a.S, gA = a.Gamma, pA = a.P;
        for (nint j = k - 1; j >= 0; j--)
            Step(eA, dA, j, sgA, ref cA, ref sA, ref gA, ref pA);
        a.C = cA; a.S = sA; a.Gamma = gA; a.P = pA; a.I -= k; a.Rem = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Steps2(ref Lane a, ref Lane b)
    {
        int k = Math.Min(a.Rem, b.Rem);
        double* eA = a.E + (a.I - k + 1), dA = a.D + (a.I - k + 1);
        double* eB = b.E + (b.I - k + 1), dB = b.D + (b.I - k + 1);
        double sgA = a.Sigma, cA = a.C, sA = a.S, gA = a.Gamma, pA = a.P;
        double sgB = b.Sigma, cB = b.C, sB = b.S, gB = b.Gamma, pB = b.P;
        for (nint j = k - 1; j >= 0; j--)
        {
            Step(eA, dA, j, sgA, ref cA, ref sA, ref gA, ref pA);
            Step(eB, dB, j, sgB, ref cB, ref sB, ref gB, ref pB);
        }
        a.C = cA; a.S = sA; a.Gamma = gA; a.P = pA; a.I -= k; a.Rem -= k;
        b.C = cB; b.S = sB; b.Gamma = gB; b.P = pB; b.I -= k; b.Rem -= k;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Steps3(ref Lane a, ref Lane b, ref Lane c)
    {
        int k = Math.Min(a.Rem, Math.Min(b.Rem, c.Rem));
        double* eA = a.E + (a.I - k + 1), dA = a.D + (a.I - k + 1);
        double* eB = b.E + (b.I - k + 1), dB = b.D + (b.I - k + 1);
        double* eC = c.E + (c.I - k + 1), dC = c.D + (c.I - k + 1);
        double sgA = a.Sigma, cA = a.C, sA = a.S, gA = a.Gamma, pA = a.P;
        double sgB = b.Sigma, cB = b.C, sB = b.S, gB = b.Gamma, pB = b.P;
        double sgC = c.Sigma, cC = c.C, sC = c.S, gC = c.Gamma, pC = c.P;
        for (nint j = k - 1; j >= 0; j--)
        {
            Step(eA, dA, j, sgA, ref cA, ref sA, ref gA, ref pA);
            Step(eB, dB, j, sgB, ref cB, ref sB, ref gB, ref pB);
            Step(eC, dC, j, sgC, ref cC, ref sC, ref gC, ref pC);
        }
        a.C = cA; a.S = sA; a.Gamma = gA; a.P = pA; a.I -= k; a.Rem -= k;
        b.C = cB; b.S = sB; b.Gamma = gB; b.P = pB; b.I -= k; b.Rem -= k;
        c.C = cC; c.S = sC; c.Gamma = gC; c.P = pC; c.I -= k; c.Rem -= k;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Steps4(ref Lane a, ref Lane b, ref Lane c, ref Lane d)
    {
        int k = Math.Min(Math.Min(a.Rem, b.Rem), Math.Min(c.Rem, d.Rem));
        double* eA = a.E + (a.I - k + 1), dA = a.D + (a.I - k + 1);
        double* eB = b.E + (b.I - k + 1), dB = b.D + (b.I - k + 1);
        double* eC = c.E + (c.I - k + 1), dC = c.D + (c.I - k + 1);
        double* eD = d.E + (d.I - k + 1), dD = d.D + (d.I - k + 1);
        double sgA = a.Sigma, cA = a.C, sA = a.S, gA = a.Gamma, pA = a.P;
        double sgB = b.Sigma, cB = b.C, sB = b.S, gB = b.Gamma, pB = b.P;
        double sgC = c.Sigma, cC = c.C, sC = c.S, gC = c.Gamma, pC = c.P;
        double sgD = d.Sigma, cD = d.C, sD = d.S, gD = d.Gamma, pD = d.P;
        for (nint j = k - 1; j >= 0; j--)
        {
            Step(eA, dA, j, sgA, ref cA, ref sA, ref gA, ref pA);
            Step(eB, dB, j, sgB, ref cB, ref sB, ref gB, ref pB);
            Step(eC, dC, j, sgC, ref cC, ref sC, ref gC, ref pC);
            Step(eD, dD, j, sgD, ref cD, ref sD, ref gD, ref pD);
        }
        a.C = cA; a.S = sA; a.Gamma = gA; a.P = pA; a.I -= k; a.Rem -= k;
        b.C = cB; b.S = sB; b.Gamma = gB; b.P = pB; b.I -= k; b.Rem -= k;
        c.C = cC; c.S = sC; c.Gamma = gC; c.P = pC; c.I -= k; c.Rem -= k;
        d.C = cD; d.S = sD; d.Gamma = gD; d.P = pD; d.I -= k; d.Rem -= k;
    }

    /// <summary>
    /// The control flow of LAPACK dsterf (block splitting, scaling, deflation) as a resumable state:
    /// <see cref="Advance"/> runs until the next QL sweep is due (rows First down to First − Length + 1, shift
    /// Sigma, start Gamma) or all blocks are done; the caller runs the sweep and calls Advance again.
    /// Where dsterf would run QR on a block (its last diagonal entry smaller than its first), the block is
    /// reversed in place and run as QL: the QR iteration is the QL iteration on the reversed block, operation
    /// for operation, so the eigenvalues are the same bits and only one sweep direction is needed.
    /// </summary>
    private struct Pwk(int n)
    {
        private readonly int n = n, nmaxit = 30 * n;
        private int jtot, l1, l, m, lsv, lend, iscale;
        private double anorm;
        private bool inBlock;
        public int First, Length;
        public double Sigma, Gamma;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Advance(Span<double> d, Span<double> e)
        {
            const double eps2 = Eps * Eps;
            double ssfmax = Math.Sqrt(1 / SafeMin) / 3;
            double ssfmin = Math.Sqrt(SafeMin) / eps2;
            double p, rte, sigma, r;
            if (inBlock) goto QlLoop;

        NextBlock:
            inBlock = false;
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
            l = l1; lsv = l; lend = m; l1 = m + 1;
            if (lend == l) goto NextBlock;

            anorm = 0;
            for (int i = l; i <= lend; i++) anorm = Math.Max(anorm, Math.Abs(d[i]));
            for (int i = l; i < lend; i++) anorm = Math.Max(anorm, Math.Abs(e[i]));
            iscale = 0;
            if (anorm == 0) goto NextBlock;
            if (anorm > ssfmax) { iscale = 1; Scale(d, e, l, lend, ssfmax / anorm); }
            else if (anorm < ssfmin) { iscale = 2; Scale(d, e, l, lend, ssfmin / anorm); }
            for (int i = l; i < lend; i++) e[i] *= e[i];

            if (Math.Abs(d[lend]) < Math.Abs(d[l]))
            {
                d.Slice(l, lend - l + 1).Reverse();
                e.Slice(l, lend - l).Reverse();
            }
            inBlock = true;

        QlLoop:
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
            Sigma = sigma; Gamma = d[m] - sigma; First = m - 1; Length = m - l;
            return true;
        QlFound:
            d[l] = p;
            l++;
            if (l <= lend) goto QlLoop;

        BlockDone:
            if (iscale == 1) for (int i = lsv; i <= lend; i++) d[i] *= anorm / ssfmax;
            if (iscale == 2) for (int i = lsv; i <= lend; i++) d[i] *= anorm / ssfmin;
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
