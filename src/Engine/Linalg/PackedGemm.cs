using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alds.Engine.Linalg;

/// <summary>A read-only row-major matrix view, float32 or float64, for <see cref="PackedGemm"/>.</summary>
internal readonly unsafe struct MatrixView
{
    private readonly nint _start;
    /// <summary>Address of element (0, 0).</summary>
    public nint Start => _start;
    /// <summary>Rows and columns of the stored matrix.</summary>
    public readonly int Rows, Cols, Stride;
    /// <summary>Read as its transpose: element (i, t) of the operand is stored element (t, i).</summary>
    public readonly bool Transposed, IsFloat;

    private MatrixView(nint start, int rows, int cols, int stride, bool transposed, bool isFloat)
    {
        _start = start; Rows = rows; Cols = cols; Stride = stride; Transposed = transposed; IsFloat = isFloat;
    }

    /// <summary>The caller keeps the memory pinned while the view is used.</summary>
    public static MatrixView Of(double* start, int rows, int cols, int stride, bool transposed = false) =>
        new((nint)start, rows, cols, stride, transposed, false);

    public static MatrixView Of(float* start, int rows, int cols, int stride, bool transposed = false) =>
        new((nint)start, rows, cols, stride, transposed, true);

    /// <summary>Stored row i, columns c0 .. c0 + length, of a float64 view.</summary>
    public ReadOnlySpan<double> RowOfDoubles(int i, int c0, int length) =>
        IsFloat ? throw new InvalidOperationException("a float32 view has no float64 rows") : new((double*)_start + (long)i * Stride + c0, length);

    /// <summary>Stored row i, columns c0 .. c0 + length, of a float32 view.</summary>
    public ReadOnlySpan<float> RowOfSingles(int i, int c0, int length) =>
        IsFloat ? new((float*)_start + (long)i * Stride + c0, length) : throw new InvalidOperationException("a float64 view has no float32 rows");

    /// <summary>Stored columns c0 .. c0 + cols of a view that is not transposed (a channel group of a folded weight).</summary>
    public MatrixView Columns(int c0, int cols) =>
        Transposed || c0 < 0 || cols < 0 || c0 + cols > Cols
            ? throw new ArgumentOutOfRangeException(nameof(c0), $"columns {c0}..{c0 + cols} of a {Rows}×{Cols} view")
            : new(_start + (nint)c0 * (IsFloat ? sizeof(float) : sizeof(double)), Rows, cols, Stride, false, IsFloat);

    /// <summary>The same storage read as its transpose.</summary>
    public MatrixView Transpose() => new(_start, Rows, Cols, Stride, !Transposed, IsFloat);

    /// <summary>Rows of the operand (after the optional transpose).</summary>
    public int OperandRows => Transposed ? Cols : Rows;
    public int OperandCols => Transposed ? Rows : Cols;

    /// <summary>Operand element (i, t) widened to double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double At(int i, int t)
    {
        long offset = Transposed ? (long)t * Stride + i : (long)i * Stride + t;
        return IsFloat ? ((float*)_start)[offset] : ((double*)_start)[offset];
    }
}

/// <summary>
/// Dense C = A·B in float64 with AVX-512 8×24 register tiles over packed panels (the kernel of
/// <see cref="SymmetricGram"/>), either operand float32 or float64, plain or transposed.
/// </summary>
/// <remarks>
/// Precision: float64 products and sums with fused multiply-adds; each entry is one chain per panel of
/// <see cref="Depth"/> summed indices, panels added in order — the order depends only on the shapes, so results are
/// bit-identical for any thread count. Work is split into independent (row block × column block) tasks of C.
/// </remarks>
internal static class PackedGemm
{
    // Register tile: 8×24 with AVX-512 (the kernel of SymmetricGram), 6×8 with AVX2 (12 accumulators), 4×4 scalar.
    private static int Mr => SimdLevel.Width == 512 ? 8 : SimdLevel.Width == 256 ? 6 : 4;
    private static int Nr => SimdLevel.Width == 512 ? 24 : SimdLevel.Width == 256 ? 8 : 4;
    /// <summary>Summed indices per panel (the 24-column micro-panel of B, 30 KiB, stays in L1).</summary>
    internal const int Depth = 160;
    private const int RowBlock = 96; // a multiple of 8, 6 and 4
    // Packed B: Depth × ColumnBlock doubles (960 KiB; 256 columns measured slower on a 512 KiB-L2 AVX2 machine).
    private const int ColumnBlock = 768;

    /// <summary>C (rows × cols, row stride ldc) = A (rows × depth) · B (depth × cols).</summary>
    /// <param name="lowerOnly">Only entries on or below the diagonal are needed (a Gram): tiles wholly above it are skipped.</param>
    /// <param name="subtract">C −= A·B instead of C = A·B (a rank-k update).</param>
    public static unsafe void Multiply(MatrixView a, MatrixView b, double* c, int ldc, int maxDegreeOfParallelism, bool lowerOnly = false,
        bool subtract = false)
    {
        int rows = a.OperandRows, depth = a.OperandCols, cols = b.OperandCols;
        if (b.OperandRows != depth) throw new ArgumentException($"inner dimensions differ: {depth} and {b.OperandRows}");
        if (rows == 0 || cols == 0) return;
        nint cAddr = (nint)c;
        if (depth == 0)
        {
            if (subtract) return;
            for (int i = 0; i < rows; i++) new Span<double>(c + (long)i * ldc, cols).Clear();
            return;
        }
        // Tasks: big row blocks × column blocks, so each task packs its own panels and owns its part of C.
        // Whole columns per task when there are enough column blocks (B is packed once); else rows are split too.
        int colBlocks = (cols + ColumnBlock - 1) / ColumnBlock;
        int rowChunk = colBlocks >= 8 ? rows : Math.Max(RowBlock, (rows + 3) / 4 / RowBlock * RowBlock);
        int rowTasks = (rows + rowChunk - 1) / rowChunk, colTasks = (cols + ColumnBlock - 1) / ColumnBlock;
        Parallel.For(0, rowTasks * colTasks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, task =>
        {
            int r0 = task / colTasks * rowChunk, c0 = task % colTasks * ColumnBlock;
            if (lowerOnly && c0 >= Math.Min(rows, r0 + rowChunk)) return;
            Run(a, b, (double*)cAddr, ldc, r0, Math.Min(rows, r0 + rowChunk), c0, Math.Min(cols, c0 + ColumnBlock), depth, lowerOnly, subtract);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run(MatrixView a, MatrixView b, double* c, int ldc, int r0, int r1, int c0, int c1, int depth, bool lowerOnly,
        bool subtract)
    {
        int mr = Mr, nr = Nr;
        int nc = c1 - c0, ncPad = (nc + nr - 1) / nr * nr;
        var bp = new double[Depth * ncPad];
        var ap = new double[Depth * RowBlock];
        var tile = new double[Mr * Nr];
        ref double tr = ref MemoryMarshal.GetArrayDataReference(tile);
        for (int k0 = 0; k0 < depth; k0 += Depth)
        {
            int len = Math.Min(Depth, depth - k0);
            PackB(b, k0, len, c0, nc, ncPad, bp);
            for (int i0 = r0; i0 < r1; i0 += RowBlock)
            {
                int mc = Math.Min(RowBlock, r1 - i0), mcPad = (mc + mr - 1) / mr * mr;
                PackA(a, k0, len, i0, mc, mcPad, ap);
                ref double a0 = ref MemoryMarshal.GetArrayDataReference(ap);
                ref double b0 = ref MemoryMarshal.GetArrayDataReference(bp);
                for (int jb = 0; jb < ncPad; jb += nr)
                    for (int ib = 0; ib < mcPad; ib += mr)
                    {
                        if (lowerOnly && c0 + jb > i0 + ib + mr - 1) continue;
                        Kernel(ref Unsafe.Add(ref a0, ib * len), ref Unsafe.Add(ref b0, jb * len), len, ref tr);
                        int rowsHere = Math.Min(mr, mc - ib), colsHere = Math.Min(nr, nc - jb);
                        var write = subtract ? TileWrite.Subtract : k0 == 0 ? TileWrite.Store : TileWrite.Add;
                        fixed (double* t = tile)
                            for (int r = 0; r < rowsHere; r++)
                                WriteRow(c + (long)(i0 + ib + r) * ldc + c0 + jb, t + r * nr, colsHere, write);
                    }
            }
        }
    }

    private enum TileWrite { Store, Add, Subtract }

    // dst[0 … count) = / += / −= src[0 … count), four lanes at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WriteRow(double* dst, double* src, int count, TileWrite write)
    {
        int q = 0;
        for (; q + 4 <= count; q += 4)
        {
            var x = Vector256.Load(src + q);
            if (write == TileWrite.Add) x = Vector256.Load(dst + q) + x;
            else if (write == TileWrite.Subtract) x = Vector256.Load(dst + q) - x;
            x.Store(dst + q);
        }
        for (; q < count; q++)
            dst[q] = write == TileWrite.Store ? src[q] : write == TileWrite.Add ? dst[q] + src[q] : dst[q] - src[q];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(ref double a, ref double b, int len, ref double tile)
    {
        if (SimdLevel.Width == 512) SymmetricGram.Kernel8x24(ref a, ref b, len, ref tile);
        else if (SimdLevel.Width == 256) Kernel6x8(ref a, ref b, len, ref tile);
        else Kernel4x4(ref a, ref b, len, ref tile);
    }

    // tile[r][q] = Σ_t Ap[t][r] · Bp[t][q] (6×8: two AVX2 vectors per row, one fused chain per entry).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x8(ref double a, ref double b, int len, ref double tile)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<double> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int t = 0; t < len; t++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 4);
            var x = Vector256.Create(a);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, 6);
            b = ref Unsafe.Add(ref b, 8);
        }
        c00.StoreUnsafe(ref tile, 0); c01.StoreUnsafe(ref tile, 4);
        c10.StoreUnsafe(ref tile, 8); c11.StoreUnsafe(ref tile, 12);
        c20.StoreUnsafe(ref tile, 16); c21.StoreUnsafe(ref tile, 20);
        c30.StoreUnsafe(ref tile, 24); c31.StoreUnsafe(ref tile, 28);
        c40.StoreUnsafe(ref tile, 32); c41.StoreUnsafe(ref tile, 36);
        c50.StoreUnsafe(ref tile, 40); c51.StoreUnsafe(ref tile, 44);
    }

    private static void Kernel4x4(ref double a, ref double b, int len, ref double tile)
    {
        Span<double> acc = stackalloc double[16];
        for (int t = 0; t < len; t++)
            for (int r = 0; r < 4; r++)
                for (int q = 0; q < 4; q++)
                    acc[r * 4 + q] = Math.FusedMultiplyAdd(Unsafe.Add(ref a, t * 4 + r), Unsafe.Add(ref b, t * 4 + q), acc[r * 4 + q]);
        for (int i = 0; i < 16; i++) Unsafe.Add(ref tile, i) = acc[i];
    }

    // Ap[ib][t][r] = A(i0 + ib + r, k0 + t), zero-padded rows.
    private static void PackA(MatrixView a, int k0, int len, int i0, int mc, int mcPad, double[] ap)
    {
        int mr = Mr;
        Array.Clear(ap, 0, mcPad * len);
        if (a.Transposed) { Scatter(a.Transpose(), k0, len, i0, mc, ap, mr); return; }
        for (int i = 0; i < mc; i++)
            Gather(a, i0 + i, k0, len, ap, i / mr * mr * len + i % mr, mr);
    }

    // Bp[jb][t][q] = B(k0 + t, c0 + jb + q), zero-padded columns.
    private static void PackB(MatrixView b, int k0, int len, int c0, int nc, int ncPad, double[] bp)
    {
        int nr = Nr;
        Array.Clear(bp, 0, ncPad * len);
        if (!b.Transposed) { Scatter(b, k0, len, c0, nc, bp, nr); return; }
        var bt = b.Transpose();
        for (int q = 0; q < nc; q++)
            Gather(bt, c0 + q, k0, len, bp, q / nr * nr * len + q % nr, nr);
    }

    // For stored rows k0..k0+len (contiguous runs of columns c0..c0+count): dst[q/w][t][q%w] = x(k0 + t, c0 + q).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Scatter(MatrixView x, int k0, int len, int c0, int count, double[] dst, int w)
    {
        fixed (double* d = dst)
            for (int t = 0; t < len; t++)
            {
                long start = (long)(k0 + t) * x.Stride + c0;
                for (int jb = 0; jb < count; jb += w)
                {
                    double* o = d + (long)jb * len + (long)t * w;
                    int width = Math.Min(w, count - jb);
                    if (x.IsFloat) { float* s = (float*)x.Start + start + jb; for (int q = 0; q < width; q++) o[q] = s[q]; }
                    else { double* s = (double*)x.Start + start + jb; for (int q = 0; q < width; q++) o[q] = s[q]; }
                }
            }
    }

    // dst[offset + t·step] = operand(i, k0 + t) for t < len.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Gather(MatrixView x, int i, int k0, int len, double[] dst, int offset, int step)
    {
        fixed (double* d0 = &dst[offset])
        {
            double* d = d0;
            if (!x.Transposed)
            {
                long start = (long)i * x.Stride + k0;
                if (x.IsFloat) { float* s = (float*)x.Start + start; for (int t = 0; t < len; t++) d[(long)t * step] = s[t]; }
                else { double* s = (double*)x.Start + start; for (int t = 0; t < len; t++) d[(long)t * step] = s[t]; }
            }
            else
            {
                long start = (long)k0 * x.Stride + i, stride = x.Stride;
                if (x.IsFloat) { float* s = (float*)x.Start + start; for (int t = 0; t < len; t++) d[(long)t * step] = s[t * stride]; }
                else { double* s = (double*)x.Start + start; for (int t = 0; t < len; t++) d[(long)t * step] = s[t * stride]; }
            }
        }
    }
}
