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

    /// <summary><see cref="Eigenvalues"/> of two independent matrices at once (bit-identical to two calls).</summary>
    public static void EigenvaluesPair(Span<double> a1, int n1, Span<double> w1, Span<double> scratch1,
        Span<double> a2, int n2, Span<double> w2, Span<double> scratch2) =>
        SymmetricEigen.ValuesPair(a1[..(n1 * n1)], n1, w1[..n1], scratch1, a2[..(n2 * n2)], n2, w2[..n2], scratch2);

    public static int ScratchLength(int n) => SymmetricEigen.ScratchLength(n);

    private static int Extent(int m, int n, int lda) => m == 0 ? 0 : (m - 1) * lda + n;
}
