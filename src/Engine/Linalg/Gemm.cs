using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>Dense row-major C = A·B in float64 (fused multiply-adds, summed in index order).</summary>
internal static class Gemm
{
    /// <summary>C (p×q, stride ldc) = A (p×k, stride lda) · B (k×q, stride ldb).</summary>
    public static void Multiply(ReadOnlySpan<double> a, int p, int k, int lda, ReadOnlySpan<double> b, int q, int ldb, Span<double> c, int ldc)
    {
        SymmetricGram.CheckView(a.Length, p, k, lda, nameof(a));
        SymmetricGram.CheckView(b.Length, k, q, ldb, nameof(b));
        SymmetricGram.CheckView(c.Length, p, q, ldc, nameof(c));
        if (p == 0 || q == 0) return;
        if (k == 0) { for (int i = 0; i < p; i++) c.Slice(i * ldc, q).Clear(); return; }
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double br = ref MemoryMarshal.GetReference(b);
        ref double cr = ref MemoryMarshal.GetReference(c);
        switch (SimdLevel.Width)
        {
            case 512: Run<Vector512<double>, Simd512>(ref ar, p, k, lda, ref br, q, ldb, ref cr, ldc); break;
            case 256: Run<Vector256<double>, Simd256>(ref ar, p, k, lda, ref br, q, ldb, ref cr, ldc); break;
            default: Run<double, Simd1>(ref ar, p, k, lda, ref br, q, ldb, ref cr, ldc); break;
        }
    }

    private static void Run<TV, TOps>(ref double a, int p, int k, int lda, ref double b, int q, int ldb, ref double c, int ldc)
        where TV : struct where TOps : ISimd<TV>
    {
        int w = 2 * TOps.Count;
        int qv = q / w * w;
        for (int j = 0; j < qv; j += w)
        {
            int i = 0;
            for (; i + 4 <= p; i += 4) Block4<TV, TOps>(ref a, i, k, lda, ref b, j, ldb, ref c, ldc);
            for (; i < p; i++) Block1<TV, TOps>(ref a, i, k, lda, ref b, j, ldb, ref c, ldc);
        }
        for (int i = 0; i < p; i++)
            for (int j = qv; j < q; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) s = Math.FusedMultiplyAdd(Unsafe.Add(ref a, (nint)i * lda + t), Unsafe.Add(ref b, (nint)t * ldb + j), s);
                Unsafe.Add(ref c, (nint)i * ldc + j) = s;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4<TV, TOps>(ref double a, int i, int k, int lda, ref double b, int j, int ldb, ref double c, int ldc)
        where TV : struct where TOps : ISimd<TV>
    {
        TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero;
        TV c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
        ref double a0 = ref Unsafe.Add(ref a, (nint)i * lda);
        ref double a1 = ref Unsafe.Add(ref a0, lda);
        ref double a2 = ref Unsafe.Add(ref a1, lda);
        ref double a3 = ref Unsafe.Add(ref a2, lda);
        ref double bj = ref Unsafe.Add(ref b, j);
        for (nint t = 0; t < k; t++)
        {
            ref double bt = ref Unsafe.Add(ref bj, t * ldb);
            TV x0 = TOps.Load(ref bt), x1 = TOps.Load(ref Unsafe.Add(ref bt, TOps.Count));
            TV s0 = TOps.Splat(Unsafe.Add(ref a0, t)), s1 = TOps.Splat(Unsafe.Add(ref a1, t));
            TV s2 = TOps.Splat(Unsafe.Add(ref a2, t)), s3 = TOps.Splat(Unsafe.Add(ref a3, t));
            c00 = TOps.Fma(s0, x0, c00); c01 = TOps.Fma(s0, x1, c01);
            c10 = TOps.Fma(s1, x0, c10); c11 = TOps.Fma(s1, x1, c11);
            c20 = TOps.Fma(s2, x0, c20); c21 = TOps.Fma(s2, x1, c21);
            c30 = TOps.Fma(s3, x0, c30); c31 = TOps.Fma(s3, x1, c31);
        }
        ref double cr = ref Unsafe.Add(ref c, (nint)i * ldc + j);
        TOps.Store(c00, ref cr); TOps.Store(c01, ref Unsafe.Add(ref cr, TOps.Count)); cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr); TOps.Store(c11, ref Unsafe.Add(ref cr, TOps.Count)); cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr); TOps.Store(c21, ref Unsafe.Add(ref cr, TOps.Count)); cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr); TOps.Store(c31, ref Unsafe.Add(ref cr, TOps.Count));
    }

    private static void Block1<TV, TOps>(ref double a, int i, int k, int lda, ref double b, int j, int ldb, ref double c, int ldc)
        where TV : struct where TOps : ISimd<TV>
    {
        TV c0 = TOps.Zero, c1 = TOps.Zero;
        ref double a0 = ref Unsafe.Add(ref a, (nint)i * lda);
        ref double bj = ref Unsafe.Add(ref b, j);
        for (nint t = 0; t < k; t++)
        {
            ref double bt = ref Unsafe.Add(ref bj, t * ldb);
            TV s0 = TOps.Splat(Unsafe.Add(ref a0, t));
            c0 = TOps.Fma(s0, TOps.Load(ref bt), c0);
            c1 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref bt, TOps.Count)), c1);
        }
        ref double cr = ref Unsafe.Add(ref c, (nint)i * ldc + j);
        TOps.Store(c0, ref cr); TOps.Store(c1, ref Unsafe.Add(ref cr, TOps.Count));
    }
}
