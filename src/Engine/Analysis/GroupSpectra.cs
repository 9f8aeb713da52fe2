using Alds.Engine.Linalg;

namespace Alds.Engine.Analysis;

/// <summary>The sweep's view of the Linalg core: lower-triangle Grams and eigenvalues.</summary>
internal static class GroupSpectra
{
    /// <summary><c>G = A Aᵀ</c> (m×m, lower triangle valid).</summary>
    public static void RowGram(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> g) =>
        SymmetricGram.AAt(a[..Extent(m, n, lda)], m, n, lda, g);

    /// <summary><c>G = Aᵀ A</c> (n×n, lower triangle valid).</summary>
    public static void ColumnGram(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> g) =>
        SymmetricGram.AtA(a[..Extent(m, n, lda)], m, n, lda, g);

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
        int t0 = Prepare(a0, n[0], w0, s0, out int m0), t1 = Prepare(a1, n[1], w1, s1, out int m1);
        int t2 = Prepare(a2, n[2], w2, s2, out int m2), t3 = Prepare(a3, n[3], w3, s3, out int m3);
        TridiagonalEigen.ValuesQuad(w0, Off(s0, m0), m0, w1, Off(s1, m1), m1, w2, Off(s2, m2), m2, w3, Off(s3, m3), m3);
        if (m0 > 0) SymmetricEigen.Complete(w0, m0, t0);
        if (m1 > 0) SymmetricEigen.Complete(w1, m1, t1);
        if (m2 > 0) SymmetricEigen.Complete(w2, m2, t2);
        if (m3 > 0) SymmetricEigen.Complete(w3, m3, t3);

        static int Prepare(Span<double> a, int n, Span<double> w, Span<double> scratch, out int m)
        {
            int shift = n == 0 ? int.MinValue : SymmetricEigen.Prepare(a[..(n * n)], n, w[..n], scratch);
            m = shift == int.MinValue ? 0 : n;
            return shift;
        }

        static Span<double> Off(Span<double> scratch, int m) => m > 0 ? SymmetricEigen.OffDiagonal(scratch, m) : default;
    }

    public static int ScratchLength(int n) => SymmetricEigen.ScratchLength(n);

    private static int Extent(int m, int n, int lda) => m == 0 ? 0 : (m - 1) * lda + n;
}
