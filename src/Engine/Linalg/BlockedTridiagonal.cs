using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Blocked Householder tridiagonalisation (LAPACK dsytrd with dlatrd panels, lower triangle, row-major): panels of
/// <see cref="PanelWidth"/> columns accumulate <c>V</c> and <c>W</c>, then the trailing matrix takes the rank-2·nb
/// update <c>A ← A − V Wᵀ − W Vᵀ</c> in register tiles; the last columns go to <see cref="HouseholderTridiagonal"/>.
/// Same output contract as <see cref="HouseholderTridiagonal.Reduce"/>: d, e, and the reflectors (row k holds v_k,
/// v_k[k+1] = 1, Q = H₀ H₁ … H_{n−3}).
/// </summary>
/// <remarks>
/// Why blocked for large orders (from <see cref="TridiagonalReduction.BlockedFrom"/>, measured): once the trailing matrix
/// has left L2 (and from ~2000 the L3), the fused pass reads and writes all of it on every step. Here half the flops are in the trailing update, which reads
/// and writes the matrix once per panel, and each column's product reads it once (no write), on both cores.
/// Every method that loops is compiled fully optimised at once (and the panel's vector loops are local, not the
/// library's generic ones): there are few calls per process, and the first calls ran several times slower than later
/// ones (order 256: 21–31 ms for each of the first eight, 5 ms in steady state); some of that remains.
/// Threads: one <see cref="SpinTeam"/> round per column (the product) and per panel (the update).
/// Determinism: the symmetric product's rows are cut into <see cref="ProductBlocks"/> blocks that depend only on the
/// order, each with its own partial vector, summed in block order; the trailing update's tiles are independent. So
/// results are bit-identical for any thread count.
/// Precision: backward stable like dsytrd (‖Qᵀ A Q − T‖ ≲ n·eps·‖A‖); float64 with fused multiply-adds. The caller
/// scales A so its largest entry is near 1.
/// </remarks>
internal static class BlockedTridiagonal
{
    /// <summary>Columns per panel (the update's depth is twice this).</summary>
    internal const int PanelWidth = 32;

    /// <summary>Row blocks of the symmetric product, fixed so that the summation order does not depend on threads.</summary>
    internal const int ProductBlocks = 4;

    private const int Mr = 6;          // rows of the update's register tile
    private const int RowBlock = 8 * Mr; // rows per update task: one B micro-panel serves eight row tiles from L1
    private static int Nr => 2 * (SimdLevel.Width == 512 ? 8 : SimdLevel.Width == 256 ? 4 : 1);

    /// <summary>
    /// Reduces the n×n lower triangle in <paramref name="a"/> (row stride n; destroyed) as
    /// <see cref="HouseholderTridiagonal.Reduce"/> does, by panels while the trailing order exceeds
    /// <paramref name="fusedOrder"/>, the rest with the fused kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, Span<double> reflectors,
        Span<double> taus, int fusedOrder, int maxDegreeOfParallelism)
    {
        fusedOrder = Math.Max(fusedOrder, 2 * PanelWidth);
        if (n <= fusedOrder)
        {
            HouseholderTridiagonal.Reduce(a, n, d, e, new double[HouseholderTridiagonal.ScratchLength(n)], reflectors, taus);
            return;
        }
        bool keep = !reflectors.IsEmpty;
        if (keep) { reflectors.Slice(0, n * n).Clear(); taus.Slice(0, n).Clear(); }
        int ld = HouseholderTridiagonal.Stride(n);
        int vecLength = ld; // every work vector is a whole number of SIMD vectors long and starts on a cache line
        int vectors = 2 * PanelWidth + 2 + ProductBlocks;
        var buffer = WorkBuffers.Rent(checked((int)((long)ld * n + (long)vectors * vecLength + 8)));
        try
        {
            fixed (double* raw = buffer)
            {
                double* p = (double*)(((nint)raw + 63) & ~(nint)63);
                var work = new Span<double>(p, ld * n);
                for (int i = 0; i < n; i++)
                {
                    a.Slice(i * n, i + 1).CopyTo(work.Slice(i * ld));
                    work.Slice(i * ld + i + 1, ld - i - 1).Clear();
                }
                using var team = new SpinTeam(maxDegreeOfParallelism);
                var state = new Panel(p, ld, n, p + (long)ld * n, vecLength, team);
                int start = 0;
                while (n - start > fusedOrder)
                {
                    state.Reduce(start, d, e, reflectors, taus);
                    start += PanelWidth;
                    state.UpdateTrailing(start);
                }
                Tail(work, ld, n, start, d, e, reflectors, taus);
            }
        }
        finally { WorkBuffers.Return(buffer); }
    }

    // The trailing (n − s)² block by the fused kernel on a compact copy; its reflectors moved to global rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tail(Span<double> work, int ld, int n, int s, Span<double> d, Span<double> e,
        Span<double> reflectors, Span<double> taus)
    {
        int m = n - s;
        var sub = new double[m * m];
        for (int i = 0; i < m; i++) work.Slice((s + i) * ld + s, i + 1).CopyTo(sub.AsSpan(i * m));
        bool keep = !reflectors.IsEmpty;
        var subReflectors = keep ? new double[m * m] : null;
        var subTaus = keep ? new double[m] : null;
        HouseholderTridiagonal.Reduce(sub, m, d.Slice(s, m), e.Slice(s, m - 1),
            new double[HouseholderTridiagonal.ScratchLength(m)], subReflectors, subTaus);
        if (!keep) return;
        for (int k = 0; k + 1 < m; k++)
        {
            subReflectors.AsSpan(k * m + k + 1, m - k - 1).CopyTo(reflectors.Slice((s + k) * n + s + k + 1));
            taus[s + k] = subTaus![k];
        }
    }

    /// <summary>The working matrix and the panel's vectors (all pinned by the caller).</summary>
    private readonly unsafe struct Panel
    {
        private readonly double* _a, _vt, _wt, _u, _y, _z;
        private readonly int _ld, _n, _len;
        private readonly SpinTeam _team;
        private readonly double[] _pa, _pb;

        public Panel(double* a, int ld, int n, double* vectors, int len, SpinTeam team)
        {
            _a = a; _ld = ld; _n = n; _len = len; _team = team;
            _pa = GC.AllocateUninitializedArray<double>((n + Mr) * 2 * PanelWidth, pinned: true);
            _pb = GC.AllocateUninitializedArray<double>((n + 2 * Nr) * 2 * PanelWidth, pinned: true);
            _vt = vectors;                                  // V columns, one vector of length len each
            _wt = vectors + (long)PanelWidth * len;         // W columns
            _u = vectors + 2L * PanelWidth * len;
            _y = _u + len;
            _z = _y + len;                                  // ProductBlocks partial vectors
            new Span<double>(vectors, (2 * PanelWidth + 2 + ProductBlocks) * len).Clear();
        }

        private Span<double> V(int t) => new(_vt + (long)t * _len, _n);
        private Span<double> W(int t) => new(_wt + (long)t * _len, _n);
        private Span<double> U => new(_u, _n);
        private Span<double> Y => new(_y, _n);

        /// <summary>dlatrd: columns p .. p+nb−1 updated and reduced; V and W hold the panel's reflectors and updates.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Reduce(int p, Span<double> d, Span<double> e, Span<double> reflectors, Span<double> taus)
        {
            int n = _n, ld = _ld;
            bool keep = !reflectors.IsEmpty;
            var col = new double[n];
            for (int t = 0; t < PanelWidth; t++)
            {
                int c = p + t;
                // Column c (rows c..n−1) takes the panel's earlier updates.
                var x = col.AsSpan(c, n - c);
                for (int i = c; i < n; i++) x[i - c] = _a[(long)i * ld + c];
                for (int s = 0; s < t; s++)
                {
                    Axpy(-W(s)[c], V(s).Slice(c, n - c), x);
                    Axpy(-V(s)[c], W(s).Slice(c, n - c), x);
                }
                for (int i = c; i < n; i++) _a[(long)i * ld + c] = x[i - c];
                d[c] = x[0];

                var u = U;
                u.Clear();
                x.Slice(1).CopyTo(u.Slice(c + 1));
                double tau = HouseholderTridiagonal.House(u, c + 1, n, out double beta);
                e[c] = beta;
                if (keep) { u.Slice(c + 1).CopyTo(reflectors.Slice(c * n + c + 1, n - c - 1)); taus[c] = tau; }
                var v = V(t); var w = W(t);
                u.CopyTo(v);
                w.Clear();
                if (tau == 0) continue;

                // w = τ (A₂₂ u − V Wᵀu − W Vᵀu), then w −= ½ τ (wᵀu) u, on rows c+1..n−1.
                int s0 = c + 1;
                Product(s0);
                var y = Y.Slice(s0); var uc = u.Slice(s0);
                for (int s = 0; s < t; s++)
                {
                    double wu = Dot(W(s).Slice(s0), uc);
                    double vu = Dot(V(s).Slice(s0), uc);
                    Axpy(-wu, V(s).Slice(s0), y);
                    Axpy(-vu, W(s).Slice(s0), y);
                }
                var wc = w.Slice(s0);
                wc.Clear();
                Axpy(tau, y, wc);
                double alpha = -0.5 * tau * Dot(wc, uc);
                Axpy(alpha, uc, wc);
            }
        }

        /// <summary>y[s..n) = A[s.., s..] u (the symmetric product from the lower triangle), in fixed row blocks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Product(int s)
        {
            int n = _n, m = n - s;
            Span<int> bounds = stackalloc int[ProductBlocks + 1];
            bounds[0] = s;
            for (int b = 1; b < ProductBlocks; b++)
                bounds[b] = Math.Max(bounds[b - 1], Math.Min(n, s + (int)(m * Math.Sqrt((double)b / ProductBlocks)) / 4 * 4));
            bounds[ProductBlocks] = n;
            var self = this;
            int[] edges = bounds.ToArray();
            _team.For(ProductBlocks, b => self.ProductBlock(s, edges[b], edges[b + 1], b));
            var y = Y;
            for (int b = 0; b < ProductBlocks; b++)
            {
                // Block b's transposed part lies in columns s .. its last row.
                int end = edges[b + 1];
                if (end <= s) continue;
                var zb = new Span<double>(_z + (long)b * _len, n).Slice(s, end - s);
                Axpy(1, zb, y.Slice(s, end - s));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ProductBlock(int s, int r0, int r1, int b)
        {
            if (r1 <= r0) return;
            double* z = _z + (long)b * _len;
            int count = SimdLevel.Width == 512 ? 8 : SimdLevel.Width == 256 ? 4 : 1;
            int from = s / count * count;
            new Span<double>(z + from, r1 - from).Clear();
            ref double a = ref Unsafe.AsRef<double>(_a);
            ref double u = ref Unsafe.AsRef<double>(_u);
            ref double y = ref Unsafe.AsRef<double>(_y);
            ref double zr = ref Unsafe.AsRef<double>(z);
            switch (SimdLevel.Width)
            {
                case 512: ProductRows<Vector512<double>, Simd512>(ref a, _ld, s, r0, r1, ref u, ref y, ref zr); break;
                case 256: ProductRows<Vector256<double>, Simd256>(ref a, _ld, s, r0, r1, ref u, ref y, ref zr); break;
                default: ProductRows<double, Simd1>(ref a, _ld, s, r0, r1, ref u, ref y, ref zr); break;
            }
        }

        /// <summary>Trailing update A[s.., s..] −= V Wᵀ + W Vᵀ (lower triangle), independent row-block tasks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void UpdateTrailing(int s)
        {
            int n = _n, m = n - s;
            if (m <= 0) return;
            int nr = Nr;
            var pa = _pa; var pb = _pb;
            // X = [V W] in Mr-row tiles ([t][r]), Y = [W V] in nr-column tiles ([t][q]); zero padding.
            Pack(pa, Mr, s, m, first: _vt, second: _wt);
            Pack(pb, nr, s, m, first: _wt, second: _vt);
            int tasks = (m + RowBlock - 1) / RowBlock;
            var self = this;
            fixed (double* pap = pa, pbp = pb)
            {
                nint aAddr = (nint)pap, bAddr = (nint)pbp;
                _team.For(tasks, task => self.UpdateBlock(s, task, (double*)aAddr, (double*)bAddr, nr));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Pack(double[] dst, int width, int s, int m, double* first, double* second)
        {
            int depth = 2 * PanelWidth, tiles = (m + width - 1) / width;
            for (int tile = 0; tile < tiles; tile++)
            {
                int i0 = tile * width, rows = Math.Min(width, m - i0);
                var block = dst.AsSpan(tile * width * depth, width * depth);
                if (rows < width) block.Clear();
                for (int t = 0; t < depth; t++)
                {
                    double* src = (t < PanelWidth ? first + (long)t * _len : second + (long)(t - PanelWidth) * _len) + s + i0;
                    new ReadOnlySpan<double>(src, rows).CopyTo(block.Slice(t * width, rows));
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UpdateBlock(int s, int task, double* pa, double* pb, int nr)
        {
            int n = _n, depth = 2 * PanelWidth;
            int r0 = task * RowBlock, r1 = Math.Min(n - s, r0 + RowBlock); // local rows (offset s)
            Span<double> tile = stackalloc double[Mr * 16];
            ref double tr = ref MemoryMarshal.GetReference(tile);
            for (int j0 = 0; j0 < r1; j0 += nr)
            {
                double* bp = pb + (long)j0 * depth;
                for (int i0 = r0; i0 < r1; i0 += Mr)
                {
                    if (j0 > i0 + Mr - 1) continue; // wholly above the diagonal
                    double* ap = pa + (long)i0 * depth;
                    ref double c = ref Unsafe.AsRef<double>(_a + (long)(s + i0) * _ld + s + j0);
                    bool full = j0 + nr - 1 <= i0 && i0 + Mr <= n - s;
                    switch (SimdLevel.Width)
                    {
                        case 512: Kernel<Vector512<double>, Simd512>(ref Unsafe.AsRef<double>(ap), ref Unsafe.AsRef<double>(bp), depth, ref c, _ld, full, ref tr); break;
                        case 256: Kernel<Vector256<double>, Simd256>(ref Unsafe.AsRef<double>(ap), ref Unsafe.AsRef<double>(bp), depth, ref c, _ld, full, ref tr); break;
                        default: Kernel<double, Simd1>(ref Unsafe.AsRef<double>(ap), ref Unsafe.AsRef<double>(bp), depth, ref c, _ld, full, ref tr); break;
                    }
                    if (full) continue;
                    int rows = Math.Min(Mr, n - s - i0);
                    for (int r = 0; r < rows; r++)
                    {
                        double* row = _a + (long)(s + i0 + r) * _ld + s;
                        int last = Math.Min(i0 + r, j0 + nr - 1);
                        for (int q = j0; q <= last; q++) row[q] -= tile[r * nr + q - j0];
                    }
                }
            }
        }
    }

    // y += alpha·x and x·y with plain vector loops compiled optimised at once: the library's generic versions start in
    // unoptimised code, and the panel calls them thousands of times before they are recompiled.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length, i = 0, w = Vector<double>.Count;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        var a = new Vector<double>(alpha);
        for (; i + w <= n; i += w)
        {
            ref double yi = ref Unsafe.Add(ref yr, i);
            Vector.FusedMultiplyAdd(a, Vector.LoadUnsafe(ref Unsafe.Add(ref xr, i)), Vector.LoadUnsafe(ref yi)).StoreUnsafe(ref yi);
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = Math.FusedMultiplyAdd(alpha, Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0, w = Vector<double>.Count;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            s0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref Unsafe.Add(ref xr, i)), Vector.LoadUnsafe(ref Unsafe.Add(ref yr, i)), s0);
            s1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref Unsafe.Add(ref xr, i + w)), Vector.LoadUnsafe(ref Unsafe.Add(ref yr, i + w)), s1);
        }
        double sum = Vector.Sum(s0 + s1);
        for (; i < n; i++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), sum);
        return sum;
    }

    /// <summary>
    /// For rows i = r0..r1−1 (of the block s..n−1): y_i = Σ_{j=s..i} a_ij u_j, and z_j += a_ij u_i for j &lt; i.
    /// Four rows share the loads of u and z. Columns left of s (to the vector boundary) are harmless: u is zero there
    /// and z there is never read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductRows<TV, TOps>(ref double a, int ld, int s, int r0, int r1, ref double u, ref double y, ref double z)
        where TV : struct where TOps : ISimd<TV>
    {
        int count = TOps.Count;
        nint jStart = s / count * count;
        int i = r0;
        for (; i + 3 < r1; i += 4)
        {
            ref double a0 = ref Unsafe.Add(ref a, (nint)i * ld);
            ref double a1 = ref Unsafe.Add(ref a0, ld);
            ref double a2 = ref Unsafe.Add(ref a1, ld);
            ref double a3 = ref Unsafe.Add(ref a2, ld);
            TV nu0 = TOps.Splat(Unsafe.Add(ref u, i)), nu1 = TOps.Splat(Unsafe.Add(ref u, i + 1));
            TV nu2 = TOps.Splat(Unsafe.Add(ref u, i + 2)), nu3 = TOps.Splat(Unsafe.Add(ref u, i + 3));
            TV acc0 = TOps.Zero, acc1 = TOps.Zero, acc2 = TOps.Zero, acc3 = TOps.Zero;
            nint jEnd = i / count * count;
            for (nint j = jStart; j < jEnd; j += count)
            {
                TV uj = TOps.Load(ref Unsafe.Add(ref u, j));
                ref double zj = ref Unsafe.Add(ref z, j);
                TV x0 = TOps.Load(ref Unsafe.Add(ref a0, j)), x1 = TOps.Load(ref Unsafe.Add(ref a1, j));
                TV x2 = TOps.Load(ref Unsafe.Add(ref a2, j)), x3 = TOps.Load(ref Unsafe.Add(ref a3, j));
                acc0 = TOps.Fma(x0, uj, acc0);
                acc1 = TOps.Fma(x1, uj, acc1);
                acc2 = TOps.Fma(x2, uj, acc2);
                acc3 = TOps.Fma(x3, uj, acc3);
                TV zv = TOps.Fma(nu0, x0, TOps.Load(ref zj));
                zv = TOps.Fma(nu1, x1, zv);
                zv = TOps.Fma(nu2, x2, zv);
                zv = TOps.Fma(nu3, x3, zv);
                TOps.Store(zv, ref zj);
            }
            FinishRow(ref a0, i, (int)jEnd, TOps.Sum(acc0), ref u, ref y, ref z);
            FinishRow(ref a1, i + 1, (int)jEnd, TOps.Sum(acc1), ref u, ref y, ref z);
            FinishRow(ref a2, i + 2, (int)jEnd, TOps.Sum(acc2), ref u, ref y, ref z);
            FinishRow(ref a3, i + 3, (int)jEnd, TOps.Sum(acc3), ref u, ref y, ref z);
        }
        for (; i < r1; i++)
        {
            ref double row = ref Unsafe.Add(ref a, (nint)i * ld);
            TV nui = TOps.Splat(Unsafe.Add(ref u, i));
            TV acc = TOps.Zero;
            nint jEnd = i / count * count;
            for (nint j = jStart; j < jEnd; j += count)
            {
                TV x = TOps.Load(ref Unsafe.Add(ref row, j));
                acc = TOps.Fma(x, TOps.Load(ref Unsafe.Add(ref u, j)), acc);
                ref double zj = ref Unsafe.Add(ref z, j);
                TOps.Store(TOps.Fma(nui, x, TOps.Load(ref zj)), ref zj);
            }
            FinishRow(ref row, i, (int)jEnd, TOps.Sum(acc), ref u, ref y, ref z);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRow(ref double row, int i, int from, double dot, ref double u, ref double y, ref double z)
    {
        double ui = Unsafe.Add(ref u, i);
        for (int j = from; j < i; j++)
        {
            double x = Unsafe.Add(ref row, j);
            dot = Math.FusedMultiplyAdd(x, Unsafe.Add(ref u, j), dot);
            Unsafe.Add(ref z, j) = Math.FusedMultiplyAdd(ui, x, Unsafe.Add(ref z, j));
        }
        Unsafe.Add(ref y, i) = Math.FusedMultiplyAdd(Unsafe.Add(ref row, i), ui, dot);
    }

    /// <summary>
    /// C (Mr × 2·Count tile, row stride ldc) −= Σ_t a[t][r] b[t][q]; when not <paramref name="full"/> the sums go to
    /// <paramref name="tile"/> instead and the caller subtracts the lower-triangle part.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<TV, TOps>(ref double a, ref double b, int depth, ref double c, int ldc, bool full, ref double tile)
        where TV : struct where TOps : ISimd<TV>
    {
        int w = TOps.Count;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        for (int t = 0; t < depth; t++)
        {
            TV b0 = TOps.Load(ref b), b1 = TOps.Load(ref Unsafe.Add(ref b, w));
            TV x = TOps.Splat(a);
            c00 = TOps.Fma(x, b0, c00); c01 = TOps.Fma(x, b1, c01);
            x = TOps.Splat(Unsafe.Add(ref a, 1));
            c10 = TOps.Fma(x, b0, c10); c11 = TOps.Fma(x, b1, c11);
            x = TOps.Splat(Unsafe.Add(ref a, 2));
            c20 = TOps.Fma(x, b0, c20); c21 = TOps.Fma(x, b1, c21);
            x = TOps.Splat(Unsafe.Add(ref a, 3));
            c30 = TOps.Fma(x, b0, c30); c31 = TOps.Fma(x, b1, c31);
            x = TOps.Splat(Unsafe.Add(ref a, 4));
            c40 = TOps.Fma(x, b0, c40); c41 = TOps.Fma(x, b1, c41);
            x = TOps.Splat(Unsafe.Add(ref a, 5));
            c50 = TOps.Fma(x, b0, c50); c51 = TOps.Fma(x, b1, c51);
            a = ref Unsafe.Add(ref a, Mr);
            b = ref Unsafe.Add(ref b, 2 * w);
        }
        if (full)
        {
            TV one = TOps.Splat(1);
            Sub(ref c, c00, c01, one, w);
            Sub(ref Unsafe.Add(ref c, ldc), c10, c11, one, w);
            Sub(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, one, w);
            Sub(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, one, w);
            Sub(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, one, w);
            Sub(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, one, w);
            return;
        }
        int nr = 2 * w;
        TOps.Store(c00, ref tile); TOps.Store(c01, ref Unsafe.Add(ref tile, w));
        TOps.Store(c10, ref Unsafe.Add(ref tile, nr)); TOps.Store(c11, ref Unsafe.Add(ref tile, nr + w));
        TOps.Store(c20, ref Unsafe.Add(ref tile, 2 * nr)); TOps.Store(c21, ref Unsafe.Add(ref tile, 2 * nr + w));
        TOps.Store(c30, ref Unsafe.Add(ref tile, 3 * nr)); TOps.Store(c31, ref Unsafe.Add(ref tile, 3 * nr + w));
        TOps.Store(c40, ref Unsafe.Add(ref tile, 4 * nr)); TOps.Store(c41, ref Unsafe.Add(ref tile, 4 * nr + w));
        TOps.Store(c50, ref Unsafe.Add(ref tile, 5 * nr)); TOps.Store(c51, ref Unsafe.Add(ref tile, 5 * nr + w));

        static void Sub(ref double row, TV s0, TV s1, TV one, int w)
        {
            // c − 1·s rounds once, exactly as the scalar c − s of the partial tiles.
            TOps.Store(TOps.Fnma(s0, one, TOps.Load(ref row)), ref row);
            TOps.Store(TOps.Fnma(s1, one, TOps.Load(ref Unsafe.Add(ref row, w))), ref Unsafe.Add(ref row, w));
        }
    }
}
