using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Householder reduction of a symmetric matrix (lower triangle, row-major) to tridiagonal form,
/// <c>Qᵀ A Q = T</c>, as LAPACK dsytd2 does, but with the rank-2 update of step k fused with the
/// symmetric matrix-vector product of step k+1 so the trailing matrix is streamed once per step,
/// four rows at a time (shared loads of the step's vectors, four independent dot products).
/// </summary>
/// <remarks>
/// Speed: the pass is bound by reading the trailing matrix from L2 (about 45 GB/s per core here: ~35 GFLOP/s at
/// order 512). Below <see cref="TridiagonalReduction.BlockedFrom"/> it beats the panel reduction
/// (<see cref="BlockedTridiagonal"/>): that one's per-column product reads the matrix for two multiply-adds per element
/// where the fused pass gets four; above it the matrix leaves the caches and the panel form's single read wins.
/// Precision: backward stable like dsytd2 (‖Qᵀ A Q − T‖ ≈ n·eps·‖A‖); every operation is float64 with
/// fused multiply-adds. The caller scales <c>A</c> so its largest entry is near 1 (no overflow/underflow
/// in the reflector norms).
/// </remarks>
internal static class HouseholderTridiagonal
{
    /// <summary>From this order on the reduction runs on an aligned, padded copy.</summary>
    internal const int AlignedCopyFrom = 64;

    /// <summary>
    /// Row stride of the working copy: whole vectors, and an odd number of cache lines so that rows a power of two
    /// apart in bytes do not share L1 sets (at n = 512 a stride of 4 KiB made four-row blocks thrash).
    /// </summary>
    internal static int Stride(int n) => (n + 15) / 16 * 16 + 8;

    /// <summary>Scratch doubles <see cref="Reduce"/> needs for order n.</summary>
    public static int ScratchLength(int n) => 4 * n;

    /// <summary>
    /// Reduces the n×n lower triangle in <paramref name="a"/> (destroyed) to diagonal <paramref name="d"/> (n)
    /// and sub-diagonal <paramref name="e"/> (n−1). When <paramref name="reflectors"/> is not empty (n×n), row k
    /// receives reflector k's vector (indices k+1..n−1, v[k+1] = 1) and <paramref name="taus"/>[k] its factor, so
    /// that Q = H₀ H₁ … H_{n−3} with H_k = I − τ_k v_k v_kᵀ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, Span<double> scratch,
        Span<double> reflectors, Span<double> taus)
    {
        if (n == 0) return;
        if (n == 1) { d[0] = a[0]; return; }
        if (n == 2) { d[0] = a[0]; d[1] = a[3]; e[0] = a[2]; return; }
        if (n < AlignedCopyFrom)
        {
            // Small: the copy would cost more than misaligned rows do.
            var vectors = scratch.Slice(0, 4 * n);
            vectors.Clear();
            Reduce(a, n, n, d, e, vectors, reflectors, taus);
            return;
        }
        // The passes run on an aligned copy whose row stride is a whole number of vector pairs, so that every row's
        // vectors start on the same lanes as the work vectors and no load or store splits a cache line.
        int ld = Stride(n);
        int workLength = 4 * ld;
        var buffer = WorkBuffers.Rent(checked(ld * n + workLength + 8));
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
                var vectors = new Span<double>(p + (long)ld * n, workLength);
                vectors.Clear();
                Reduce(work, ld, n, d, e, vectors, reflectors, taus);
            }
        }
        finally { WorkBuffers.Return(buffer); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Reduce(Span<double> a, int ld, int n, Span<double> d, Span<double> e, Span<double> vectors,
        Span<double> reflectors, Span<double> taus)
    {
        bool keep = !reflectors.IsEmpty;
        if (keep) { reflectors.Slice(0, n * n).Clear(); taus.Slice(0, n).Clear(); }
        Span<double> v = vectors.Slice(0, ld), w = vectors.Slice(ld, ld), u = vectors.Slice(2 * ld, ld), y = vectors.Slice(3 * ld, ld);

        for (int i = 1; i < n; i++) v[i] = a[i * ld];
        double tau = House(v, 1, n, out double beta);
        d[0] = a[0];
        e[0] = beta;
        if (keep) { v.Slice(1, n - 1).CopyTo(reflectors.Slice(1, n - 1)); taus[0] = tau; }
        // y = A[1:,1:] v, with a zero update.
        FusedPass(a, ld, n, 1, w, w, v, y);

        for (int k = 0; ; k++)
        {
            int c = k + 1;
            // w = τ y − ½ τ² (yᵀv) v on indices c..n−1, zero elsewhere (the fused pass relies on it).
            w.Clear();
            if (tau != 0)
            {
                var yc = y.Slice(c, n - c); var vc = v.Slice(c, n - c); var wc = w.Slice(c, n - c);
                double alpha = -0.5 * tau * tau * TensorPrimitives.Dot(yc, vc);
                TensorPrimitives.Multiply(yc, tau, wc);
                TensorPrimitives.MultiplyAdd(vc, alpha, wc, wc);
            }

            // Column c of the updated trailing matrix: it defines the next reflector.
            double vcc = v[c], wcc = w[c];
            for (int i = c; i < n; i++) a[i * ld + c] -= v[i] * wcc + w[i] * vcc;
            d[c] = a[c * ld + c];
            if (c == n - 2)
            {
                e[c] = a[(n - 1) * ld + c];
                d[n - 1] = a[(n - 1) * ld + n - 1] - 2 * v[n - 1] * w[n - 1];
                return;
            }

            u.Clear();
            for (int i = c + 1; i < n; i++) u[i] = a[i * ld + c];
            double tauNext = House(u, c + 1, n, out beta);
            e[c] = beta;
            if (keep) { u.Slice(c + 1, n - c - 1).CopyTo(reflectors.Slice(c * n + c + 1, n - c - 1)); taus[c] = tauNext; }

            y.Clear();
            FusedPass(a, ld, n, c + 1, v, w, u, y);
            var t = v; v = u; u = t;
            tau = tauNext;
        }
    }

    // dlarfg on x[start..end): x[start] becomes 1, x[start+1..] the reflector tail; returns τ, beta = new x[start].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double House(Span<double> x, int start, int end, out double beta)
    {
        double alpha = x[start];
        var tail = x.Slice(start + 1, end - start - 1);
        double xnorm = tail.IsEmpty ? 0 : TensorPrimitives.Norm<double>(tail);
        x[start] = 1;
        if (xnorm == 0)
        {
            beta = alpha;
            return 0;
        }
        beta = -Math.CopySign(Math.Sqrt(alpha * alpha + xnorm * xnorm), alpha);
        double tau = (beta - alpha) / beta;
        TensorPrimitives.Multiply(tail, 1 / (alpha - beta), tail);
        return tau;
    }

    private static void FusedPass(Span<double> a, int ld, int n, int s, Span<double> vOld, Span<double> wOld, Span<double> uNew, Span<double> y)
    {
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double vr = ref MemoryMarshal.GetReference(vOld);
        ref double wr = ref MemoryMarshal.GetReference(wOld);
        ref double ur = ref MemoryMarshal.GetReference(uNew);
        ref double yr = ref MemoryMarshal.GetReference(y);
        switch (SimdLevel.Width)
        {
            case 512: FusedPass<Vector512<double>, Simd512>(ref ar, ld, n, s, ref vr, ref wr, ref ur, ref yr); break;
            case 256: FusedPass<Vector256<double>, Simd256>(ref ar, ld, n, s, ref vr, ref wr, ref ur, ref yr); break;
            default: FusedPass<double, Simd1>(ref ar, ld, n, s, ref vr, ref wr, ref ur, ref yr); break;
        }
    }

    /// <summary>
    /// For rows i = s..n−1 and columns j = s..i of the lower triangle: a_ij −= v_i w_j + w_i v_j (step k's
    /// rank-2 update), then y += A' u (step k+1's product, both triangles from the lower one).
    /// </summary>
    /// <remarks>
    /// Four rows at a time share the loads of v, w, u and y and keep four independent dot-product chains. The
    /// vector part of a row starts at the vector boundary at or left of s and stops at the last boundary at or
    /// left of the block's first row; the few columns from there to each diagonal are scalar. Starting left of s
    /// is harmless because v and w vanish left of s−1, u vanishes left of s, column s−1 is already consumed,
    /// and y left of s is never read.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FusedPass<TV, TOps>(ref double a, int ld, int n, int s, ref double v, ref double w, ref double u, ref double y)
        where TV : struct where TOps : ISimd<TV>
    {
        int count = TOps.Count;
        nint jStart = s / count * count;
        int i = s;
        for (; i + 3 < n; i += 4)
        {
            ref double r0 = ref Unsafe.Add(ref a, (nint)i * ld);
            ref double r1 = ref Unsafe.Add(ref r0, ld);
            ref double r2 = ref Unsafe.Add(ref r1, ld);
            ref double r3 = ref Unsafe.Add(ref r2, ld);
            TV nv0 = TOps.Splat(Unsafe.Add(ref v, i)), nv1 = TOps.Splat(Unsafe.Add(ref v, i + 1));
            TV nv2 = TOps.Splat(Unsafe.Add(ref v, i + 2)), nv3 = TOps.Splat(Unsafe.Add(ref v, i + 3));
            TV nw0 = TOps.Splat(Unsafe.Add(ref w, i)), nw1 = TOps.Splat(Unsafe.Add(ref w, i + 1));
            TV nw2 = TOps.Splat(Unsafe.Add(ref w, i + 2)), nw3 = TOps.Splat(Unsafe.Add(ref w, i + 3));
            TV nu0 = TOps.Splat(Unsafe.Add(ref u, i)), nu1 = TOps.Splat(Unsafe.Add(ref u, i + 1));
            TV nu2 = TOps.Splat(Unsafe.Add(ref u, i + 2)), nu3 = TOps.Splat(Unsafe.Add(ref u, i + 3));
            TV acc0 = TOps.Zero, acc1 = TOps.Zero, acc2 = TOps.Zero, acc3 = TOps.Zero;
            nint jEnd = i / count * count;
            for (nint j = jStart; j < jEnd; j += count)
            {
                TV wj = TOps.Load(ref Unsafe.Add(ref w, j)), vj = TOps.Load(ref Unsafe.Add(ref v, j));
                TV uj = TOps.Load(ref Unsafe.Add(ref u, j));
                ref double yj = ref Unsafe.Add(ref y, j);
                TV yv = TOps.Load(ref yj);

                ref double a0 = ref Unsafe.Add(ref r0, j);
                TV x0 = TOps.Fnma(nw0, vj, TOps.Fnma(nv0, wj, TOps.Load(ref a0)));
                TOps.Store(x0, ref a0);
                acc0 = TOps.Fma(x0, uj, acc0);
                yv = TOps.Fma(nu0, x0, yv);

                ref double a1 = ref Unsafe.Add(ref r1, j);
                TV x1 = TOps.Fnma(nw1, vj, TOps.Fnma(nv1, wj, TOps.Load(ref a1)));
                TOps.Store(x1, ref a1);
                acc1 = TOps.Fma(x1, uj, acc1);
                yv = TOps.Fma(nu1, x1, yv);

                ref double a2 = ref Unsafe.Add(ref r2, j);
                TV x2 = TOps.Fnma(nw2, vj, TOps.Fnma(nv2, wj, TOps.Load(ref a2)));
                TOps.Store(x2, ref a2);
                acc2 = TOps.Fma(x2, uj, acc2);
                yv = TOps.Fma(nu2, x2, yv);

                ref double a3 = ref Unsafe.Add(ref r3, j);
                TV x3 = TOps.Fnma(nw3, vj, TOps.Fnma(nv3, wj, TOps.Load(ref a3)));
                TOps.Store(x3, ref a3);
                acc3 = TOps.Fma(x3, uj, acc3);
                yv = TOps.Fma(nu3, x3, yv);

                TOps.Store(yv, ref yj);
            }
            FinishRow(ref r0, i, (int)jEnd, TOps.Sum(acc0), ref v, ref w, ref u, ref y);
            FinishRow(ref r1, i + 1, (int)jEnd, TOps.Sum(acc1), ref v, ref w, ref u, ref y);
            FinishRow(ref r2, i + 2, (int)jEnd, TOps.Sum(acc2), ref v, ref w, ref u, ref y);
            FinishRow(ref r3, i + 3, (int)jEnd, TOps.Sum(acc3), ref v, ref w, ref u, ref y);
        }
        for (; i < n; i++)
        {
            ref double row = ref Unsafe.Add(ref a, (nint)i * ld);
            TV nvi = TOps.Splat(Unsafe.Add(ref v, i)), nwi = TOps.Splat(Unsafe.Add(ref w, i)), nui = TOps.Splat(Unsafe.Add(ref u, i));
            TV acc = TOps.Zero;
            nint jEnd = i / count * count;
            for (nint j = jStart; j < jEnd; j += count)
            {
                ref double aj = ref Unsafe.Add(ref row, j);
                TV x = TOps.Fnma(nwi, TOps.Load(ref Unsafe.Add(ref v, j)), TOps.Fnma(nvi, TOps.Load(ref Unsafe.Add(ref w, j)), TOps.Load(ref aj)));
                TOps.Store(x, ref aj);
                acc = TOps.Fma(x, TOps.Load(ref Unsafe.Add(ref u, j)), acc);
                ref double yj = ref Unsafe.Add(ref y, j);
                TOps.Store(TOps.Fma(nui, x, TOps.Load(ref yj)), ref yj);
            }
            FinishRow(ref row, i, (int)jEnd, TOps.Sum(acc), ref v, ref w, ref u, ref y);
        }
    }

    /// <summary>Row i's scalar columns from <paramref name="from"/> to the diagonal, then the diagonal and y_i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRow(ref double row, int i, int from, double dot, ref double v, ref double w, ref double u, ref double y)
    {
        double vi = Unsafe.Add(ref v, i), wi = Unsafe.Add(ref w, i), ui = Unsafe.Add(ref u, i);
        for (int j = from; j < i; j++)
        {
            ref double aj = ref Unsafe.Add(ref row, j);
            double x = Math.FusedMultiplyAdd(-wi, Unsafe.Add(ref v, j), Math.FusedMultiplyAdd(-vi, Unsafe.Add(ref w, j), aj));
            aj = x;
            dot = Math.FusedMultiplyAdd(x, Unsafe.Add(ref u, j), dot);
            Unsafe.Add(ref y, j) = Math.FusedMultiplyAdd(ui, x, Unsafe.Add(ref y, j));
        }
        ref double aii = ref Unsafe.Add(ref row, i);
        aii -= 2 * vi * wi;
        Unsafe.Add(ref y, i) += dot + aii * ui;
    }
}
