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

    public static int ScratchLength(int n) => SymmetricEigen.ScratchLength(n);

    private static int Extent(int m, int n, int lda) => m == 0 ? 0 : (m - 1) * lda + n;
}
