using System.Buffers;
using System.Runtime.CompilerServices;

namespace Alds.Engine.Linalg;

/// <summary>
/// Eigenvalues of a real symmetric matrix: Householder tridiagonalisation (fused, or blocked for large orders, see
/// <see cref="TridiagonalReduction"/>), then the
/// Pal–Walker–Kahan QL/QR iteration (LAPACK dsterf).
/// </summary>
/// <remarks>
/// Precision contract: backward stable; each eigenvalue is within a few·n·eps·‖A‖₂ of the exact one (the same
/// bound as LAPACK dsyev). The matrix is first scaled by a power of two (exact) so that entries spanning
/// 1e-300…1e300 neither overflow nor underflow. Only the lower triangle (row-major, row stride n) is read.
/// Single-threaded unless a thread count is given; the scratch overload performs no allocation below
/// <see cref="TridiagonalReduction.BlockedFrom"/>.
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>Doubles of scratch that <see cref="Values(Span{double}, int, Span{double}, Span{double})"/> needs for order n.</summary>
    public static int ScratchLength(int n) => HouseholderTridiagonal.ScratchLength(n) + n;

    /// <summary>All eigenvalues of the n×n symmetric <paramref name="a"/> (lower triangle; destroyed) into w, descending.</summary>
    public static void Values(Span<double> a, int n, Span<double> w)
    {
        int len = ScratchLength(n);
        double[] scratch = WorkBuffers.Rent(Math.Max(len, 1));
        try { Values(a, n, w, scratch.AsSpan(0, len)); }
        finally { WorkBuffers.Return(scratch); }
    }

    /// <summary>
    /// All eigenvalues of the n×n symmetric <paramref name="a"/> (lower triangle; destroyed) into w (descending),
    /// using <paramref name="scratch"/> (at least <see cref="ScratchLength"/>(n) doubles) and no heap.
    /// </summary>
    /// <exception cref="ArgumentException">Spans too short, or a non-finite entry.</exception>
    public static void Values(Span<double> a, int n, Span<double> w, Span<double> scratch) => Values(a, n, w, scratch, 1);

    /// <summary>
    /// All eigenvalues of the n×n symmetric <paramref name="a"/> (lower triangle; destroyed) into w (descending); from
    /// order <see cref="TridiagonalReduction.BlockedFrom"/> the reduction runs on up to the given threads (results
    /// bit-identical for any count).
    /// </summary>
    public static void Values(Span<double> a, int n, Span<double> w, int maxDegreeOfParallelism)
    {
        int len = ScratchLength(n);
        double[] scratch = WorkBuffers.Rent(Math.Max(len, 1));
        try { Values(a, n, w, scratch.AsSpan(0, len), maxDegreeOfParallelism); }
        finally { WorkBuffers.Return(scratch); }
    }

    private static void Values(Span<double> a, int n, Span<double> w, Span<double> scratch, int maxDegreeOfParallelism)
    {
        if (Prepare(a, n, w, scratch, maxDegreeOfParallelism) is not int shift) return;
        TridiagonalEigen.Values(w, scratch.Slice(HouseholderTridiagonal.ScratchLength(n), n), n);
        Complete(w, n, shift);
    }

    /// <summary>
    /// <see cref="Values(Span{double}, int, Span{double}, Span{double})"/> of two independent matrices, their
    /// tridiagonal stages interleaved (<see cref="TridiagonalEigen.ValuesPair"/>): results bit-identical to two calls.
    /// </summary>
    public static void ValuesPair(Span<double> a1, int n1, Span<double> w1, Span<double> scratch1,
        Span<double> a2, int n2, Span<double> w2, Span<double> scratch2)
    {
        int? shift1 = Prepare(a1, n1, w1, scratch1);
        int? shift2 = Prepare(a2, n2, w2, scratch2);
        int m1 = shift1 is null ? 0 : n1, m2 = shift2 is null ? 0 : n2;
        TridiagonalEigen.ValuesPair(w1, m1 > 0 ? OffDiagonal(scratch1, m1) : default, m1,
            w2, m2 > 0 ? OffDiagonal(scratch2, m2) : default, m2);
        if (shift1 is int s1) Complete(w1, n1, s1);
        if (shift2 is int s2) Complete(w2, n2, s2);
    }

    /// <summary>
    /// First stage of <see cref="Values(Span{double}, int, Span{double}, Span{double})"/>: checks, scales and
    /// reduces <paramref name="a"/> to the tridiagonal (diagonal in w, off-diagonal in <see cref="OffDiagonal"/> of
    /// scratch). Returns the power-of-two scale, or null when there is nothing left to do
    /// (n = 0, or a zero matrix: w is then all zeros).
    /// </summary>
    internal static int? Prepare(Span<double> a, int n, Span<double> w, Span<double> scratch, int maxDegreeOfParallelism = 1)
    {
        Check(a.Length, n, w.Length, scratch.Length);
        if (n == 0) return null;
        if (ScaleToUnit(a, n) is not int shift) { w.Slice(0, n).Clear(); return null; }
        TridiagonalReduction.Reduce(a, n, w.Slice(0, n), OffDiagonal(scratch, n), scratch, default, default, maxDegreeOfParallelism);
        return shift;
    }

    /// <summary>Where <see cref="Prepare"/> leaves the off-diagonal of order n in scratch.</summary>
    internal static Span<double> OffDiagonal(Span<double> scratch, int n) =>
        scratch.Slice(HouseholderTridiagonal.ScratchLength(n), n);

    /// <summary>Last stage: ascending tridiagonal eigenvalues in w become the descending, unscaled eigenvalues.</summary>
    internal static void Complete(Span<double> w, int n, int shift)
    {
        var d = w.Slice(0, n);
        d.Reverse();
        for (int i = 0; i < n; i++) d[i] = Math.ScaleB(d[i], shift);
    }

    internal static void Check(int aLength, int n, int wLength, int scratchLength)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"order {n} < 0");
        if (aLength < (long)n * n) throw new ArgumentException($"matrix holds {aLength} elements; order {n} needs {(long)n * n}", "a");
        if (wLength < n) throw new ArgumentException($"eigenvalue span holds {wLength}; order {n} needs {n}", "w");
        if (scratchLength < ScratchLength(n)) throw new ArgumentException($"scratch holds {scratchLength}; order {n} needs {ScratchLength(n)}", "scratch");
    }

    /// <summary>
    /// Multiplies the lower triangle by 2^-e so its largest magnitude lies in [1, 2); returns e, or
    /// null for an all-zero matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int? ScaleToUnit(Span<double> a, int n)
    {
        double max = 0;
        for (int i = 0; i < n; i++)
        {
            var row = a.Slice(i * n, i + 1);
            foreach (double x in row)
            {
                double ax = Math.Abs(x);
                if (!(ax <= double.MaxValue)) throw new ArgumentException($"symmetric matrix has a non-finite entry in row {i}", nameof(a));
                if (ax > max) max = ax;
            }
        }
        if (max == 0) return null;
        int shift = Math.ILogB(max);
        if (shift != 0)
        {
            double f = Math.ScaleB(1.0, -shift);
            if (double.IsInfinity(f) || f == 0)
            {
                // 2^-shift is not representable (max subnormal or near overflow): scale in two exact steps.
                int half = shift / 2;
                double f1 = Math.ScaleB(1.0, -half), f2 = Math.ScaleB(1.0, half - shift);
                for (int i = 0; i < n; i++) { var r = a.Slice(i * n, i + 1); foreach (ref double x in r) x = x * f1 * f2; }
            }
            else
                for (int i = 0; i < n; i++) { var r = a.Slice(i * n, i + 1); foreach (ref double x in r) x *= f; }
        }
        return shift;
    }
}
