using Alds.Engine.Linalg;

namespace Alds.Engine.Analysis;

/// <summary>The sweep's view of the Linalg core: lower-triangle Grams and eigenvalues.</summary>
internal static class GroupSpectra
{
    /// <summary><c>G = A Aᵀ</c> (m×m, lower triangle valid); see <see cref="Gram"/> for the threads.</summary>
    public static void RowGram(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> g, int threads) =>
        Gram(a, m, n, lda, rowSide: true, g, threads);

    /// <summary><c>G = Aᵀ A</c> (n×n, lower triangle valid); see <see cref="Gram"/> for the threads.</summary>
    public static void ColumnGram(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> g, int threads) =>
        Gram(a, m, n, lda, rowSide: false, g, threads);

    /// <summary>
    /// From the blocked reduction's order on, the parallel packed product on up to <paramref name="threads"/>
    /// (bit-identical for any count); below it, the one-thread Gram kernel (the sweep runs many of those side by side,
    /// and <paramref name="threads"/> is not used).
    /// </summary>
    private static unsafe void Gram(ReadOnlySpan<double> a, int m, int n, int lda, bool rowSide, Span<double> g, int threads)
    {
        a = a[..Extent(m, n, lda)];
        int order = rowSide ? m : n;
        if (order < TridiagonalReduction.BlockedFrom)
        {
            if (rowSide) SymmetricGram.AAt(a, m, n, lda, g);
            else SymmetricGram.AtA(a, m, n, lda, g);
            return;
        }
        fixed (double* ap = a, cp = g[..(order * order)])
        {
            var view = MatrixView.Of(ap, m, n, lda);
            if (rowSide) PackedGemm.Multiply(view, view.Transpose(), cp, order, threads, lowerOnly: true);
            else PackedGemm.Multiply(view.Transpose(), view, cp, order, threads, lowerOnly: true);
        }
    }

    /// <summary>Eigenvalues, descending, of the symmetric matrix whose lower triangle is in <paramref name="a"/> (destroyed).</summary>
    public static void Eigenvalues(Span<double> a, int n, Span<double> w, Span<double> scratch) =>
        SymmetricEigen.Values(a[..(n * n)], n, w[..n], scratch);

    /// <summary>
    /// <see cref="Eigenvalues"/> of up to four independent matrices (slots with n = 0 are idle): each is reduced
    /// alone, then their tridiagonal stages run interleaved (<see cref="TridiagonalEigen.ValuesQuad"/>), so the
    /// results are bit-identical to one <see cref="Eigenvalues"/> call per matrix. a, w and scratch of slot q
    /// are <c>a[q]</c>, <c>w[q]</c>, <c>scratch[q]</c>.
    /// </summary>
    public static void EigenvaluesQuad(ReadOnlySpan<int> n, Span<double> a0, Span<double> w0, Span<double> s0,
        Span<double> a1, Span<double> w1, Span<double> s1, Span<double> a2, Span<double> w2, Span<double> s2,
        Span<double> a3, Span<double> w3, Span<double> s3)
    {
        Span<int?> shifts = stackalloc int?[4];
        shifts[0] = Reduce(a0, n[0], w0, s0);
        shifts[1] = Reduce(a1, n[1], w1, s1);
        shifts[2] = Reduce(a2, n[2], w2, s2);
        shifts[3] = Reduce(a3, n[3], w3, s3);
        FinishQuad(n, shifts, w0, s0, w1, s1, w2, s2, w3, s3);
    }

    /// <summary>
    /// First half of <see cref="EigenvaluesQuad"/> for one slot: scales and reduces <paramref name="a"/> (destroyed;
    /// free again on return) to the tridiagonal form kept in <paramref name="w"/> and <paramref name="scratch"/>.
    /// Returns the scale for <see cref="FinishQuad"/>, or null for an idle or all-zero slot.
    /// </summary>
    public static int? Reduce(Span<double> a, int n, Span<double> w, Span<double> scratch) =>
        n == 0 ? null : SymmetricEigen.Prepare(a[..(n * n)], n, w[..n], scratch);

    /// <summary>Second half: the four tridiagonal stages interleaved, then the eigenvalues unscaled and sorted.</summary>
    public static void FinishQuad(ReadOnlySpan<int> n, ReadOnlySpan<int?> shifts, Span<double> w0, Span<double> s0,
        Span<double> w1, Span<double> s1, Span<double> w2, Span<double> s2, Span<double> w3, Span<double> s3)
    {
        int m0 = Active(n, shifts, 0), m1 = Active(n, shifts, 1), m2 = Active(n, shifts, 2), m3 = Active(n, shifts, 3);
        TridiagonalEigen.ValuesQuad(w0, Off(s0, m0), m0, w1, Off(s1, m1), m1, w2, Off(s2, m2), m2, w3, Off(s3, m3), m3);
        if (shifts[0] is int s0Shift && m0 > 0) SymmetricEigen.Complete(w0, m0, s0Shift);
        if (shifts[1] is int s1Shift && m1 > 0) SymmetricEigen.Complete(w1, m1, s1Shift);
        if (shifts[2] is int s2Shift && m2 > 0) SymmetricEigen.Complete(w2, m2, s2Shift);
        if (shifts[3] is int s3Shift && m3 > 0) SymmetricEigen.Complete(w3, m3, s3Shift);

        static int Active(ReadOnlySpan<int> n, ReadOnlySpan<int?> shifts, int q) => shifts[q] is null ? 0 : n[q];
        static Span<double> Off(Span<double> scratch, int m) => m > 0 ? SymmetricEigen.OffDiagonal(scratch, m) : default;
    }

    public static int ScratchLength(int n) => SymmetricEigen.ScratchLength(n);

    private static int Extent(int m, int n, int lda) => m == 0 ? 0 : (m - 1) * lda + n;
}
