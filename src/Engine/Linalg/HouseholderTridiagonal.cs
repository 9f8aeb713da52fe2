using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Householder reduction of a symmetric matrix (lower triangle, row-major) to tridiagonal form,
/// <c>Qᵀ A Q = T</c>, as LAPACK dsytd2 does, but with the rank-2 update of step k fused with the
/// symmetric matrix-vector product of step k+1 so the trailing matrix is streamed once per step.
/// </summary>
/// <remarks>
/// Precision: backward stable like dsytd2 (‖Qᵀ A Q − T‖ ≈ n·eps·‖A‖); every operation is float64 with
/// fused multiply-adds. The caller scales <c>A</c> so its largest entry is near 1 (no overflow/underflow
/// in the reflector norms).
/// </remarks>
internal static class HouseholderTridiagonal
{
    /// <summary>Scratch doubles <see cref="Reduce"/> needs for order n.</summary>
    public static int ScratchLength(int n) => 4 * n;

    /// <summary>
    /// Reduces the n×n lower triangle in <paramref name="a"/> (destroyed) to diagonal <paramref name="d"/> (n)
    /// and sub-diagonal <paramref name="e"/> (n−1). When <paramref name="reflectors"/> is not empty (n×n), row k
    /// receives reflector k's vector (indices k+1..n−1, v[k+1] = 1) and <paramref name="taus"/>[k] its factor, so
    /// that Q = H₀ H₁ … H_{n−3} with H_k = I − τ_k v_k v_kᵀ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, Span<double> scratch,
        Span<double> reflectors, Span<double> taus)
    {
        if (n == 0) return;
        if (n == 1) { d[0] = a[0]; return; }
        if (n == 2) { d[0] = a[0]; d[1] = a[3]; e[0] = a[2]; return; }
        bool keep = !reflectors.IsEmpty;
        if (keep) { reflectors.Slice(0, n * n).Clear(); taus.Slice(0, n).Clear(); }
        Span<double> v = scratch.Slice(0, n), w = scratch.Slice(n, n), u = scratch.Slice(2 * n, n), y = scratch.Slice(3 * n, n);
        v.Clear(); w.Clear(); u.Clear(); y.Clear();

        for (int i = 1; i < n; i++) v[i] = a[i * n];
        double tau = House(v, 1, n, out double beta);
        d[0] = a[0];
        e[0] = beta;
        if (keep) { v.Slice(1).CopyTo(reflectors.Slice(1, n - 1)); taus[0] = tau; }
        // y = A[1:,1:] v, with a zero update.
        FusedPass(a, n, 1, w, w, v, y);

        for (int k = 0; ; k++)
        {
            int c = k + 1;
            // w = τ y − ½ τ² (yᵀv) v on indices c.., zero below (the fused pass relies on it).
            w.Slice(0, c).Clear();
            if (tau != 0)
            {
                var yc = y.Slice(c); var vc = v.Slice(c); var wc = w.Slice(c);
                double alpha = -0.5 * tau * tau * TensorPrimitives.Dot(yc, vc);
                TensorPrimitives.Multiply(yc, tau, wc);
                TensorPrimitives.MultiplyAdd(vc, alpha, wc, wc);
            }
            else w.Slice(c).Clear();

            // Column c of the updated trailing matrix: it defines the next reflector.
            double vcc = v[c], wcc = w[c];
            for (int i = c; i < n; i++) a[i * n + c] -= v[i] * wcc + w[i] * vcc;
            d[c] = a[c * n + c];
            if (c == n - 2)
            {
                e[c] = a[(n - 1) * n + c];
                d[n - 1] = a[(n - 1) * n + n - 1] - 2 * v[n - 1] * w[n - 1];
                return;
            }

            u.Slice(0, c + 1).Clear();
            for (int i = c + 1; i < n; i++) u[i] = a[i * n + c];
            double tauNext = House(u, c + 1, n, out beta);
            e[c] = beta;
            if (keep) { u.Slice(c + 1).CopyTo(reflectors.Slice(c * n + c + 1, n - c - 1)); taus[c] = tauNext; }

            y.Clear();
            FusedPass(a, n, c + 1, v, w, u, y);
            var t = v; v = u; u = t;
            tau = tauNext;
        }
    }

    // dlarfg on x[start..end): x[start] becomes 1, x[start+1..] the reflector tail; returns τ, beta = new x[start].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double House(Span<double> x, int start, int end, out double beta)
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

    private static void FusedPass(Span<double> a, int n, int s, Span<double> vOld, Span<double> wOld, Span<double> uNew, Span<double> y)
    {
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double vr = ref MemoryMarshal.GetReference(vOld);
        ref double wr = ref MemoryMarshal.GetReference(wOld);
        ref double ur = ref MemoryMarshal.GetReference(uNew);
        ref double yr = ref MemoryMarshal.GetReference(y);
        switch (SimdLevel.Width)
        {
            case 512: FusedPass<Vector512<double>, Simd512>(ref ar, n, s, ref vr, ref wr, ref ur, ref yr); break;
            case 256: FusedPass<Vector256<double>, Simd256>(ref ar, n, s, ref vr, ref wr, ref ur, ref yr); break;
            default: FusedPass<double, Simd1>(ref ar, n, s, ref vr, ref wr, ref ur, ref yr); break;
        }
    }

    /// <summary>
    /// For rows i = s..n−1 and columns j = s..i of the lower triangle: a_ij −= v_i w_j + w_i v_j (step k's
    /// rank-2 update), then y += A' u (step k+1's product, both triangles from the lower one).
    /// </summary>
    /// <remarks>
    /// Each row is processed in whole vectors ending at the diagonal; the first vector may start left of s.
    /// That is harmless because v and w vanish left of s−1, u vanishes left of s, column s−1 is already consumed,
    /// and y left of s is never read.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FusedPass<TV, TOps>(ref double a, int n, int s, ref double v, ref double w, ref double u, ref double y)
        where TV : struct where TOps : ISimd<TV>
    {
        int count = TOps.Count;
        for (int i = s; i < n; i++)
        {
            ref double row = ref Unsafe.Add(ref a, (nint)i * n);
            double vi = Unsafe.Add(ref v, i), wi = Unsafe.Add(ref w, i), ui = Unsafe.Add(ref u, i);
            int len = i - s;
            int j0 = i - (len + count - 1) / count * count;
            double dot = 0;
            if (j0 >= 0)
            {
                TV nvi = TOps.Splat(vi), nwi = TOps.Splat(wi), vui = TOps.Splat(ui);
                TV acc = TOps.Zero;
                for (nint j = j0; j < i; j += count)
                {
                    ref double aj = ref Unsafe.Add(ref row, j);
                    TV x = TOps.Load(ref aj);
                    x = TOps.Fnma(nvi, TOps.Load(ref Unsafe.Add(ref w, j)), x);
                    x = TOps.Fnma(nwi, TOps.Load(ref Unsafe.Add(ref v, j)), x);
                    TOps.Store(x, ref aj);
                    acc = TOps.Fma(x, TOps.Load(ref Unsafe.Add(ref u, j)), acc);
                    ref double yj = ref Unsafe.Add(ref y, j);
                    TOps.Store(TOps.Fma(vui, x, TOps.Load(ref yj)), ref yj);
                }
                dot = TOps.Sum(acc);
            }
            else
            {
                for (int j = s; j < i; j++)
                {
                    ref double aj = ref Unsafe.Add(ref row, j);
                    double x = Math.FusedMultiplyAdd(-vi, Unsafe.Add(ref w, j), aj);
                    x = Math.FusedMultiplyAdd(-wi, Unsafe.Add(ref v, j), x);
                    aj = x;
                    dot = Math.FusedMultiplyAdd(x, Unsafe.Add(ref u, j), dot);
                    Unsafe.Add(ref y, j) = Math.FusedMultiplyAdd(ui, x, Unsafe.Add(ref y, j));
                }
            }
            ref double aii = ref Unsafe.Add(ref row, i);
            aii -= 2 * vi * wi;
            Unsafe.Add(ref y, i) += dot + aii * ui;
        }
    }
}
