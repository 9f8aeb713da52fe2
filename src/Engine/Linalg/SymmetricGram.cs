using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>
/// Gram matrices <c>A Aᵀ</c> and <c>Aᵀ A</c> of a row-major matrix view, accumulated in float64.
/// </summary>
/// <remarks>
/// Precision contract: every product and sum is float64 (float32 input is widened exactly first), with
/// fused multiply-adds; the result differs from an exact Gram by at most ~k·eps·‖a_i‖‖a_j‖ per entry.
/// Only the lower triangle (diagonal included) of <c>c</c> is written; the strict upper triangle is left
/// untouched (use <see cref="MirrorLower"/> when a full matrix is wanted). Single-threaded; allocation-free
/// apart from a pooled packing buffer.
/// </remarks>
public static class SymmetricGram
{
    // Panel depth along the summed index: 4 rows × 256 doubles × 2 tiles stay in L1.
    private const int PanelDepth = 256;
    // Rows of the packed panel kept hot while sweeping the tiles below them.
    private const int RowBlock = 64;

    /// <summary>c (m×m, row-major, row stride m) = A Aᵀ, lower triangle. A is m×n with row stride lda.</summary>
    public static void AAt(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), false, m, n, lda, c, transpose: false, accumulate: false);

    /// <summary>c (m×m) += A Aᵀ, lower triangle.</summary>
    public static void AddAAt(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), false, m, n, lda, c, transpose: false, accumulate: true);

    /// <summary>c (n×n, row stride n) = Aᵀ A, lower triangle. A is m×n with row stride lda.</summary>
    public static void AtA(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), false, m, n, lda, c, transpose: true, accumulate: false);

    /// <summary>c (n×n) += Aᵀ A, lower triangle.</summary>
    public static void AddAtA(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), false, m, n, lda, c, transpose: true, accumulate: true);

    /// <summary>c (m×m) = A Aᵀ for float32 A, accumulated in float64.</summary>
    public static void AAt(ReadOnlySpan<float> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), true, m, n, lda, c, transpose: false, accumulate: false);

    /// <summary>c (m×m) += A Aᵀ for float32 A.</summary>
    public static void AddAAt(ReadOnlySpan<float> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), true, m, n, lda, c, transpose: false, accumulate: true);

    /// <summary>c (n×n) = Aᵀ A for float32 A, accumulated in float64.</summary>
    public static void AtA(ReadOnlySpan<float> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), true, m, n, lda, c, transpose: true, accumulate: false);

    /// <summary>c (n×n) += Aᵀ A for float32 A.</summary>
    public static void AddAtA(ReadOnlySpan<float> a, int m, int n, int lda, Span<double> c) =>
        Run(MemoryMarshal.AsBytes(a), true, m, n, lda, c, transpose: true, accumulate: true);

    /// <summary>Copies the strict lower triangle of the n×n row-major matrix c onto its upper triangle.</summary>
    public static void MirrorLower(Span<double> c, int n)
    {
        CheckView(c.Length, n, n, n, nameof(c));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                c[j * n + i] = c[i * n + j];
    }

    internal static void CheckView(int length, int rows, int cols, int ld, string name)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(name, $"negative shape {rows}×{cols}");
        if (ld < cols || ld < 0) throw new ArgumentOutOfRangeException(name, $"row stride {ld} < {cols} columns");
        long need = rows == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < need) throw new ArgumentException($"{name} holds {length} elements; a {rows}×{cols} view with stride {ld} needs {need}", name);
    }

    private static void Run(ReadOnlySpan<byte> bytes, bool isFloat, int m, int n, int lda, Span<double> c, bool transpose, bool accumulate)
    {
        int elem = isFloat ? 4 : 8;
        CheckView(bytes.Length / elem, m, n, lda, "a");
        int p = transpose ? n : m;        // order of the Gram
        int depth = transpose ? m : n;    // summed index
        CheckView(c.Length, p, p, p, nameof(c));
        if (!accumulate)
            for (int i = 0; i < p; i++) c.Slice(i * p, i + 1).Clear();
        if (p == 0 || depth == 0) return;

        int rowsPad = (p + 3) & ~3;
        int kb = Math.Min(PanelDepth, depth);
        int kbp = (kb + 7) & ~7;
        double[] panel = ArrayPool<double>.Shared.Rent(rowsPad * kbp);
        try
        {
            Span<double> pk = panel.AsSpan(0, rowsPad * kbp);
            pk.Clear();
            for (int k0 = 0; k0 < depth; k0 += kb)
            {
                int len = Math.Min(kb, depth - k0);
                if (len < kb) pk.Clear(); // the last, shorter panel must be zero-padded again
                if (transpose) PackTransposed(bytes, isFloat, lda, k0, len, p, pk, kbp);
                else PackRows(bytes, isFloat, lda, k0, len, p, pk, kbp);
                ref double pr = ref MemoryMarshal.GetReference(pk);
                ref double cr = ref MemoryMarshal.GetReference(c);
                switch (SimdLevel.Width)
                {
                    case 512: Syrk<Vector512<double>, Simd512>(ref pr, rowsPad, kbp, ref cr, p, p); break;
                    case 256: Syrk<Vector256<double>, Simd256>(ref pr, rowsPad, kbp, ref cr, p, p); break;
                    default: Syrk<double, Simd1>(ref pr, rowsPad, kbp, ref cr, p, p); break;
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(panel);
        }
    }

    // Panel row i = A[i, k0 .. k0+len), widened to double.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows(ReadOnlySpan<byte> bytes, bool isFloat, int lda, int k0, int len, int rows, Span<double> pk, int kbp)
    {
        if (isFloat)
        {
            var a = MemoryMarshal.Cast<byte, float>(bytes);
            for (int i = 0; i < rows; i++)
                TensorPrimitives.ConvertTruncating<float, double>(a.Slice(i * lda + k0, len), pk.Slice(i * kbp, len));
        }
        else
        {
            var a = MemoryMarshal.Cast<byte, double>(bytes);
            for (int i = 0; i < rows; i++)
                a.Slice(i * lda + k0, len).CopyTo(pk.Slice(i * kbp, len));
        }
    }

    // Panel row j = A[k0 .. k0+len, j] (a column of A), widened to double.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed(ReadOnlySpan<byte> bytes, bool isFloat, int lda, int k0, int len, int cols, Span<double> pk, int kbp)
    {
        if (isFloat)
        {
            var a = MemoryMarshal.Cast<byte, float>(bytes);
            for (int t = 0; t < len; t++)
            {
                var row = a.Slice((k0 + t) * lda, cols);
                for (int j = 0; j < cols; j++) pk[j * kbp + t] = row[j];
            }
        }
        else
        {
            var a = MemoryMarshal.Cast<byte, double>(bytes);
            for (int t = 0; t < len; t++)
            {
                var row = a.Slice((k0 + t) * lda, cols);
                for (int j = 0; j < cols; j++) pk[j * kbp + t] = row[j];
            }
        }
    }

    // c[i, j] += Σ_t P[i, t] P[j, t] for j ≤ i < valid; P is rowsPad × kbp with zero padding.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Syrk<TV, TOps>(ref double p, int rowsPad, int kbp, ref double c, int ldc, int valid)
        where TV : struct where TOps : ISimd<TV>
    {
        for (int jb = 0; jb < rowsPad; jb += RowBlock)
        {
            int jEnd = Math.Min(jb + RowBlock, rowsPad);
            for (int i = jb; i < valid; i += 4)
                for (int j = jb; j < jEnd && j <= i; j += 4)
                    Tile<TV, TOps>(ref p, kbp, i, j, ref c, ldc, valid);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TV, TOps>(ref double p, int kbp, int i, int j, ref double c, int ldc, int valid)
        where TV : struct where TOps : ISimd<TV>
    {
        ref double a0 = ref Unsafe.Add(ref p, (nint)i * kbp);
        ref double a1 = ref Unsafe.Add(ref a0, kbp);
        ref double a2 = ref Unsafe.Add(ref a1, kbp);
        ref double a3 = ref Unsafe.Add(ref a2, kbp);
        ref double b0 = ref Unsafe.Add(ref p, (nint)j * kbp);
        ref double b1 = ref Unsafe.Add(ref b0, kbp);
        ref double b2 = ref Unsafe.Add(ref b1, kbp);
        ref double b3 = ref Unsafe.Add(ref b2, kbp);
        TV c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero;
        TV c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero;
        TV c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c23 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero, c33 = TOps.Zero;
        for (nint t = 0; t < kbp; t += TOps.Count)
        {
            TV x0 = TOps.Load(ref Unsafe.Add(ref a0, t)), x1 = TOps.Load(ref Unsafe.Add(ref a1, t));
            TV x2 = TOps.Load(ref Unsafe.Add(ref a2, t)), x3 = TOps.Load(ref Unsafe.Add(ref a3, t));
            TV y0 = TOps.Load(ref Unsafe.Add(ref b0, t)), y1 = TOps.Load(ref Unsafe.Add(ref b1, t));
            TV y2 = TOps.Load(ref Unsafe.Add(ref b2, t)), y3 = TOps.Load(ref Unsafe.Add(ref b3, t));
            c00 = TOps.Fma(x0, y0, c00); c01 = TOps.Fma(x0, y1, c01); c02 = TOps.Fma(x0, y2, c02); c03 = TOps.Fma(x0, y3, c03);
            c10 = TOps.Fma(x1, y0, c10); c11 = TOps.Fma(x1, y1, c11); c12 = TOps.Fma(x1, y2, c12); c13 = TOps.Fma(x1, y3, c13);
            c20 = TOps.Fma(x2, y0, c20); c21 = TOps.Fma(x2, y1, c21); c22 = TOps.Fma(x2, y2, c22); c23 = TOps.Fma(x2, y3, c23);
            c30 = TOps.Fma(x3, y0, c30); c31 = TOps.Fma(x3, y1, c31); c32 = TOps.Fma(x3, y2, c32); c33 = TOps.Fma(x3, y3, c33);
        }
        Put(ref c, ldc, valid, i, j, TOps.Sum(c00), TOps.Sum(c01), TOps.Sum(c02), TOps.Sum(c03));
        Put(ref c, ldc, valid, i + 1, j, TOps.Sum(c10), TOps.Sum(c11), TOps.Sum(c12), TOps.Sum(c13));
        Put(ref c, ldc, valid, i + 2, j, TOps.Sum(c20), TOps.Sum(c21), TOps.Sum(c22), TOps.Sum(c23));
        Put(ref c, ldc, valid, i + 3, j, TOps.Sum(c30), TOps.Sum(c31), TOps.Sum(c32), TOps.Sum(c33));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ref double c, int ldc, int valid, int i, int j, double s0, double s1, double s2, double s3)
    {
        if (i >= valid) return;
        ref double row = ref Unsafe.Add(ref c, (nint)i * ldc + j);
        int n = Math.Min(4, i - j + 1); // lower triangle only: columns j .. min(j+3, i)
        row += s0;
        if (n > 1) Unsafe.Add(ref row, 1) += s1;
        if (n > 2) Unsafe.Add(ref row, 2) += s2;
        if (n > 3) Unsafe.Add(ref row, 3) += s3;
    }
}
