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
/// apart from pooled packing buffers. The summation order depends only on the shape and on
/// <see cref="SimdLevel.Width"/> (AVX-512: register-blocked outer products; 256-bit and scalar: blocked dot products),
/// so results are deterministic for any number of concurrent callers.
/// </remarks>
internal static class SymmetricGram
{
    // 256-bit and scalar path. Panel depth along the summed index: 4 rows × 256 doubles × 2 tiles stay in L1.
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
        if (SimdLevel.Width == 512) { Run512(bytes, isFloat, lda, p, depth, c, transpose); return; }

        int rowsPad = (p + 3) & ~3;
        int kb = Math.Min(PanelDepth, depth);
        int kbp = (kb + 7) & ~7;
        double[] panel = WorkBuffers.Rent(rowsPad * kbp);
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
                int run = (len + 7) & ~7; // a shorter last panel is summed only over its own (zero-padded) length
                if (SimdLevel.Width == 256) Syrk<Vector256<double>, Simd256>(ref pr, rowsPad, kbp, run, ref cr, p, p);
                else Syrk<double, Simd1>(ref pr, rowsPad, kbp, run, ref cr, p, p);
            }
        }
        finally
        {
            WorkBuffers.Return(panel);
        }
    }

    // AVX-512 path: an 8×24 register tile (8 broadcast rows × 3 vectors of 8 columns, 24 accumulators) over
    // panels of at most KcMax summed indices. Each panel packs the Gram's operand P (row i of P = the i-th row
    // of A, or the i-th column when transposed) twice: Bp in micro-panels of 24 rows stored index-major
    // ([block][t][24], the L1-resident side), Ap in micro-panels of 8 rows ([block][t][8], streamed from L2).
    // Every entry is one fused chain over t within a panel, then added to c panel by panel: the order of
    // operations depends only on the shape, never on threads.
    private const int Mr = 8, Nr = 24;
    // Summed indices per panel: the 24-row micro-panel of Bp (KcMax·24 doubles, 30 KiB) stays in the 48 KiB L1.
    private const int KcMax = 160;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run512(ReadOnlySpan<byte> bytes, bool isFloat, int lda, int p, int depth, Span<double> c, bool transpose)
    {
        int ldw = (p + Nr - 1) / Nr * Nr; // rows of P padded with zeros to whole micro-panels of both packs
        int panels = (depth + KcMax - 1) / KcMax;
        int kc = (depth + panels - 1) / panels; // equal panels: no panel is mostly padding
        double[] buffer = WorkBuffers.Rent(2 * ldw * kc);
        double[] tileBuffer = WorkBuffers.Rent(Mr * Nr);
        try
        {
            Span<double> ap = buffer.AsSpan(0, ldw * kc), bp = buffer.AsSpan(ldw * kc, ldw * kc);
            ref double cr = ref MemoryMarshal.GetReference(c);
            for (int k0 = 0; k0 < depth; k0 += kc)
            {
                int len = Math.Min(kc, depth - k0);
                if (transpose) PackColumns512(bytes, isFloat, lda, k0, len, p, ldw, ap, bp);
                else PackRows512(bytes, isFloat, lda, k0, len, p, ldw, ap, bp);
                ref double tile = ref MemoryMarshal.GetArrayDataReference(tileBuffer);
                ref double a0 = ref MemoryMarshal.GetReference(ap);
                ref double b0 = ref MemoryMarshal.GetReference(bp);
                for (int jb = 0; jb < p; jb += Nr)
                {
                    ref double bj = ref Unsafe.Add(ref b0, (nint)jb * len);
                    for (int ib = jb / Mr * Mr; ib < p; ib += Mr) // tiles touching the lower triangle only
                    {
                        Kernel8x24(ref Unsafe.Add(ref a0, (nint)ib * len), ref bj, len, ref tile);
                        AddTile(ref tile, ref cr, p, ib, jb);
                    }
                }
            }
        }
        finally
        {
            WorkBuffers.Return(buffer);
            WorkBuffers.Return(tileBuffer);
        }
    }

    // P row i = A[i, k0 .. k0+len): Ap[i/8][t][i%8] and Bp[i/24][t][i%24], widened to double, padding rows zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows512(ReadOnlySpan<byte> bytes, bool isFloat, int lda, int k0, int len, int p, int ldw, Span<double> ap, Span<double> bp)
    {
        ref double apr = ref MemoryMarshal.GetReference(ap);
        ref double bpr = ref MemoryMarshal.GetReference(bp);
        ref byte src = ref MemoryMarshal.GetReference(bytes);
        for (int i = 0; i < ldw; i++)
        {
            ref double ad = ref Unsafe.Add(ref apr, (nint)(i / Mr * Mr) * len + i % Mr);
            ref double bd = ref Unsafe.Add(ref bpr, (nint)(i / Nr * Nr) * len + i % Nr);
            if (i >= p)
            {
                for (nint t = 0; t < len; t++) { Unsafe.Add(ref ad, t * Mr) = 0; Unsafe.Add(ref bd, t * Nr) = 0; }
                continue;
            }
            nint start = (nint)i * lda + k0;
            if (isFloat)
            {
                ref float row = ref Unsafe.Add(ref Unsafe.As<byte, float>(ref src), start);
                for (nint t = 0; t < len; t++)
                {
                    double x = Unsafe.Add(ref row, t);
                    Unsafe.Add(ref ad, t * Mr) = x; Unsafe.Add(ref bd, t * Nr) = x;
                }
            }
            else
            {
                ref double row = ref Unsafe.Add(ref Unsafe.As<byte, double>(ref src), start);
                for (nint t = 0; t < len; t++)
                {
                    double x = Unsafe.Add(ref row, t);
                    Unsafe.Add(ref ad, t * Mr) = x; Unsafe.Add(ref bd, t * Nr) = x;
                }
            }
        }
    }

    // P row j = A[k0 .. k0+len, j]: index-major already, so both packs copy contiguous pieces of A's rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackColumns512(ReadOnlySpan<byte> bytes, bool isFloat, int lda, int k0, int len, int p, int ldw, Span<double> ap, Span<double> bp)
    {
        double[] rented = WorkBuffers.Rent(ldw);
        try
        {
            Span<double> row = rented.AsSpan(0, ldw);
            row.Slice(p).Clear();
            ref double w = ref MemoryMarshal.GetReference(row);
            ref double apr = ref MemoryMarshal.GetReference(ap);
            ref double bpr = ref MemoryMarshal.GetReference(bp);
            for (int t = 0; t < len; t++)
            {
                int start = (k0 + t) * lda;
                if (isFloat) TensorPrimitives.ConvertTruncating<float, double>(MemoryMarshal.Cast<byte, float>(bytes).Slice(start, p), row);
                else MemoryMarshal.Cast<byte, double>(bytes).Slice(start, p).CopyTo(row);
                // Micro-panel b of Ap starts at b·len, its index-t slice at b·len + t·8 (likewise Bp with 24).
                for (int b = 0; b < ldw; b += Mr)
                    Vector512.LoadUnsafe(ref w, (nuint)b).StoreUnsafe(ref apr, (nuint)(b * len + t * Mr));
                for (int b = 0; b < ldw; b += Nr)
                {
                    ref double dst = ref Unsafe.Add(ref bpr, b * len + t * Nr);
                    Vector512.LoadUnsafe(ref w, (nuint)b).StoreUnsafe(ref dst);
                    Vector512.LoadUnsafe(ref w, (nuint)(b + 8)).StoreUnsafe(ref dst, 8);
                    Vector512.LoadUnsafe(ref w, (nuint)(b + 16)).StoreUnsafe(ref dst, 16);
                }
            }
        }
        finally
        {
            WorkBuffers.Return(rented);
        }
    }

    // tile[r][q] = Σ_t Ap[t][r] · Bp[t][q] (8×24, one fused chain per entry).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel8x24(ref double a, ref double b, int len, ref double tile)
    {
        Vector512<double> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector512<double> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector512<double> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector512<double> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        for (int t = 0; t < len; t++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 8);
            var b2 = Vector512.LoadUnsafe(ref b, 16);
            var x = Vector512.Create(a);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01); c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11); c12 = Vector512.FusedMultiplyAdd(x, b2, c12);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21); c22 = Vector512.FusedMultiplyAdd(x, b2, c22);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31); c32 = Vector512.FusedMultiplyAdd(x, b2, c32);
            x = Vector512.Create(Unsafe.Add(ref a, 4));
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41); c42 = Vector512.FusedMultiplyAdd(x, b2, c42);
            x = Vector512.Create(Unsafe.Add(ref a, 5));
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51); c52 = Vector512.FusedMultiplyAdd(x, b2, c52);
            x = Vector512.Create(Unsafe.Add(ref a, 6));
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61); c62 = Vector512.FusedMultiplyAdd(x, b2, c62);
            x = Vector512.Create(Unsafe.Add(ref a, 7));
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71); c72 = Vector512.FusedMultiplyAdd(x, b2, c72);
            a = ref Unsafe.Add(ref a, Mr);
            b = ref Unsafe.Add(ref b, Nr);
        }
        StoreRow(ref tile, 0, c00, c01, c02); StoreRow(ref tile, 1, c10, c11, c12);
        StoreRow(ref tile, 2, c20, c21, c22); StoreRow(ref tile, 3, c30, c31, c32);
        StoreRow(ref tile, 4, c40, c41, c42); StoreRow(ref tile, 5, c50, c51, c52);
        StoreRow(ref tile, 6, c60, c61, c62); StoreRow(ref tile, 7, c70, c71, c72);
    }

    // c[ib+r, jb+q] += tile[r][q] for the entries with jb+q ≤ ib+r < p.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddTile(ref double tile, ref double c, int p, int ib, int jb)
    {
        if (ib + Mr <= p && jb + Nr <= ib + 1)
        {
            // Whole tile below the diagonal and inside c.
            for (int r = 0; r < Mr; r++)
            {
                ref double row = ref Unsafe.Add(ref c, (nint)(ib + r) * p + jb);
                ref double t = ref Unsafe.Add(ref tile, r * Nr);
                (Vector512.LoadUnsafe(ref row) + Vector512.LoadUnsafe(ref t)).StoreUnsafe(ref row);
                (Vector512.LoadUnsafe(ref row, 8) + Vector512.LoadUnsafe(ref t, 8)).StoreUnsafe(ref row, 8);
                (Vector512.LoadUnsafe(ref row, 16) + Vector512.LoadUnsafe(ref t, 16)).StoreUnsafe(ref row, 16);
            }
            return;
        }
        for (int r = 0; r < Mr && ib + r < p; r++)
        {
            int i = ib + r, cols = Math.Min(Nr, i - jb + 1); // columns jb .. min(jb+23, i)
            ref double row = ref Unsafe.Add(ref c, (nint)i * p + jb);
            for (int q = 0; q < cols; q++) Unsafe.Add(ref row, q) += Unsafe.Add(ref tile, r * Nr + q);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref double s, int r, Vector512<double> x0, Vector512<double> x1, Vector512<double> x2)
    {
        x0.StoreUnsafe(ref s, (nuint)(r * Nr));
        x1.StoreUnsafe(ref s, (nuint)(r * Nr + 8));
        x2.StoreUnsafe(ref s, (nuint)(r * Nr + 16));
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
    private static void Syrk<TV, TOps>(ref double p, int rowsPad, int kbp, int run, ref double c, int ldc, int valid)
        where TV : struct where TOps : ISimd<TV>
    {
        for (int jb = 0; jb < rowsPad; jb += RowBlock)
        {
            int jEnd = Math.Min(jb + RowBlock, rowsPad);
            for (int i = jb; i < valid; i += 4)
                for (int j = jb; j < jEnd && j <= i; j += 4)
                    Tile<TV, TOps>(ref p, kbp, run, i, j, ref c, ldc, valid);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TV, TOps>(ref double p, int kbp, int run, int i, int j, ref double c, int ldc, int valid)
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
        for (nint t = 0; t < run; t += TOps.Count)
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
