using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Applies the orthogonal <c>Q = H₀ H₁ … H_{n−3}</c> of <see cref="HouseholderTridiagonal"/> to many vectors:
/// <c>x ← Q x</c>, the back-transformation of tridiagonal eigenvectors.
/// </summary>
/// <remarks>
/// Vectors go through in blocks of <see cref="Block"/>, interleaved so that one reflector load serves the whole block
/// and the block stays in L2; blocks run in parallel. Each vector's arithmetic (two partial sums per dot product,
/// combined in a fixed order, then one fused update) depends only on that vector, so the result is
/// bit-identical for any thread count and blocking. Orthogonal transformations: no loss of orthogonality beyond
/// O(n·eps).
/// </remarks>
internal static class ReflectorProduct
{
    /// <summary>Vectors per block: four SIMD registers per row element (32 with AVX-512, 16 with AVX2, 4 scalar).</summary>
    internal static int Block => 4 * (SimdLevel.Width == 512 ? 8 : SimdLevel.Width == 256 ? 4 : 1);

    /// <param name="reflectors">n×n; row k holds v_k at indices k+1..n−1 (v_k[k+1] = 1)</param>
    /// <param name="taus">τ_k, n entries</param>
    /// <param name="x">count × n, row-major: row r is vector r (overwritten by Q x_r)</param>
    public static void Apply(ReadOnlySpan<double> reflectors, ReadOnlySpan<double> taus, int n, Span<double> x, int count, int maxDegreeOfParallelism)
    {
        if (count == 0 || n < 3) return;
        int block = Block, blocks = (count + block - 1) / block;
        unsafe
        {
            fixed (double* rp = reflectors, tp = taus, xp = x)
            {
                nint rAddr = (nint)rp, tAddr = (nint)tp, xAddr = (nint)xp;
                Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, b =>
                {
                    int first = b * block, width = Math.Min(block, count - first);
                    var packed = new double[n * block];
                    var xs = new Span<double>((double*)xAddr, count * n);
                    for (int r = 0; r < width; r++)
                        for (int i = 0; i < n; i++) packed[i * block + r] = xs[(first + r) * n + i];
                    var refl = new ReadOnlySpan<double>((double*)rAddr, n * n);
                    var tau = new ReadOnlySpan<double>((double*)tAddr, n);
                    switch (SimdLevel.Width)
                    {
                        case 512: ApplyBlock<Vector512<double>, Simd512>(refl, tau, n, packed); break;
                        case 256: ApplyBlock<Vector256<double>, Simd256>(refl, tau, n, packed); break;
                        default: ApplyBlock<double, Simd1>(refl, tau, n, packed); break;
                    }
                    for (int r = 0; r < width; r++)
                        for (int i = 0; i < n; i++) xs[(first + r) * n + i] = packed[i * block + r];
                });
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyBlock<TV, TOps>(ReadOnlySpan<double> reflectors, ReadOnlySpan<double> taus, int n, double[] packed)
        where TV : struct where TOps : ISimd<TV>
    {
        int w = TOps.Count, block = 4 * w;
        ref double x0 = ref MemoryMarshal.GetArrayDataReference(packed);
        ref double v0 = ref MemoryMarshal.GetReference(reflectors);
        for (int k = n - 3; k >= 0; k--)
        {
            double tau = taus[k];
            if (tau == 0) continue;
            ref double v = ref Unsafe.Add(ref v0, (nint)k * n);
            int start = k + 1;
            // w = vᵀ X over rows start..n−1, two partial sums by row parity.
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
            int i = start;
            for (; i + 2 <= n; i += 2)
            {
                ref double r0 = ref Unsafe.Add(ref x0, (nint)i * block);
                ref double r1 = ref Unsafe.Add(ref r0, block);
                TV s0 = TOps.Splat(Unsafe.Add(ref v, i)), s1 = TOps.Splat(Unsafe.Add(ref v, i + 1));
                a0 = TOps.Fma(s0, TOps.Load(ref r0), a0); a1 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref r0, w)), a1);
                a2 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref r0, 2 * w)), a2); a3 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref r0, 3 * w)), a3);
                b0 = TOps.Fma(s1, TOps.Load(ref r1), b0); b1 = TOps.Fma(s1, TOps.Load(ref Unsafe.Add(ref r1, w)), b1);
                b2 = TOps.Fma(s1, TOps.Load(ref Unsafe.Add(ref r1, 2 * w)), b2); b3 = TOps.Fma(s1, TOps.Load(ref Unsafe.Add(ref r1, 3 * w)), b3);
            }
            if (i < n)
            {
                ref double r0 = ref Unsafe.Add(ref x0, (nint)i * block);
                TV s0 = TOps.Splat(Unsafe.Add(ref v, i));
                a0 = TOps.Fma(s0, TOps.Load(ref r0), a0); a1 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref r0, w)), a1);
                a2 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref r0, 2 * w)), a2); a3 = TOps.Fma(s0, TOps.Load(ref Unsafe.Add(ref r0, 3 * w)), a3);
            }
            // w ← −τ (a + b): the update x_i += v_i · w.
            TV t = TOps.Splat(-tau), zero = TOps.Zero;
            TV w0 = TOps.Fma(TOps.Add(a0, b0), t, zero), w1 = TOps.Fma(TOps.Add(a1, b1), t, zero);
            TV w2 = TOps.Fma(TOps.Add(a2, b2), t, zero), w3 = TOps.Fma(TOps.Add(a3, b3), t, zero);
            for (i = start; i < n; i++)
            {
                TV s = TOps.Splat(Unsafe.Add(ref v, i));
                ref double row = ref Unsafe.Add(ref x0, (nint)i * block);
                TOps.Store(TOps.Fma(s, w0, TOps.Load(ref row)), ref row);
                TOps.Store(TOps.Fma(s, w1, TOps.Load(ref Unsafe.Add(ref row, w))), ref Unsafe.Add(ref row, w));
                TOps.Store(TOps.Fma(s, w2, TOps.Load(ref Unsafe.Add(ref row, 2 * w))), ref Unsafe.Add(ref row, 2 * w));
                TOps.Store(TOps.Fma(s, w3, TOps.Load(ref Unsafe.Add(ref row, 3 * w))), ref Unsafe.Add(ref row, 3 * w));
            }
        }
    }
}
