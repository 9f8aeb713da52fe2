using System.Numerics.Tensors;

namespace Alds.Engine.Linalg;

/// <summary>
/// The lower Cholesky factor <c>A = L Lᵀ</c> of a symmetric positive definite matrix, and solves with it.
/// </summary>
/// <remarks>
/// Left-looking, in panels of <see cref="Panel"/> columns: each panel is first updated by one <see cref="PackedGemm"/>
/// product with the rows already factored (the bulk of the n³/6 multiply-adds, parallel), then factored row by row
/// (rows independent below the diagonal block, run in parallel). Precision: float64, backward stable
/// (‖A − L Lᵀ‖ ≈ n·eps·‖A‖); every entry's arithmetic depends only on n, so results are bit-identical for any thread count.
/// </remarks>
internal static class Cholesky
{
    private const int Panel = 128;

    /// <summary>
    /// Factors the n×n row-major <paramref name="a"/> in place (lower triangle read, strict upper triangle zeroed).
    /// False, with <paramref name="a"/> destroyed, when a pivot is not positive and finite (not positive definite).
    /// </summary>
    public static unsafe bool TryFactor(Span<double> a, int n, int threads)
    {
        if (a.Length < (long)n * n) throw new ArgumentException($"{a.Length} values for a {n}×{n} matrix", nameof(a));
        var temp = n > Panel ? WorkBuffers.Rent(n * Panel) : [];
        bool ok = true;
        try
        {
            fixed (double* p = a, t = temp)
            {
                nint ap = (nint)p;
                for (int b0 = 0; b0 < n && ok; b0 += Panel)
                {
                    int b1 = Math.Min(n, b0 + Panel), w = b1 - b0, rows = n - b0;
                    if (b0 > 0)
                    {
                        // T (rows × w) = L[b0:n, 0:b0] · L[b0:b1, 0:b0]ᵀ, then A[b0:n, b0:b1] −= T (lower part).
                        var left = MatrixView.Of(p + (long)b0 * n, rows, b0, n);
                        var right = MatrixView.Of(p + (long)b0 * n, w, b0, n).Transpose();
                        PackedGemm.Multiply(left, right, t, w, threads);
                        for (int i = 0; i < rows; i++)
                        {
                            int cols = Math.Min(w, i + 1);
                            var target = a.Slice((b0 + i) * n + b0, cols);
                            TensorPrimitives.Subtract(target, temp.AsSpan(i * w, cols), target);
                        }
                    }
                    for (int j = b0; j < b1 && ok; j++)
                    {
                        ok = Pivot(a, n, b0, j);
                        for (int i = j + 1; i < b1 && ok; i++) Eliminate(a, n, b0, i, j);
                    }
                    if (!ok || b1 == n) continue;
                    int chunk = Math.Max(16, (n - b1 + 4 * threads - 1) / (4 * threads));
                    Parallel.For(0, (n - b1 + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
                    {
                        var m = new Span<double>((double*)ap, n * n);
                        for (int i = b1 + c * chunk; i < Math.Min(n, b1 + (c + 1) * chunk); i++)
                            for (int j = b0; j < b1; j++) Eliminate(m, n, b0, i, j);
                    });
                }
            }
        }
        finally { if (temp.Length > 0) WorkBuffers.Return(temp); }
        if (!ok) return false;
        for (int i = 0; i < n; i++) a.Slice(i * n + i + 1, n - i - 1).Clear();
        return true;
    }

    private static bool Pivot(Span<double> a, int n, int b0, int j)
    {
        var row = a.Slice(j * n + b0, j - b0);
        double d = a[j * n + j] - TensorPrimitives.Dot<double>(row, row);
        if (!(d > 0) || !double.IsFinite(d)) return false;
        a[j * n + j] = Math.Sqrt(d);
        return true;
    }

    // L[i, j] = (A[i, j] − L[i, b0:j] · L[j, b0:j]) / L[j, j], the columns before b0 already folded in by the panel update.
    private static void Eliminate(Span<double> a, int n, int b0, int i, int j) =>
        a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot<double>(a.Slice(i * n + b0, j - b0), a.Slice(j * n + b0, j - b0))) / a[j * n + j];

    /// <summary>
    /// <c>X L = B</c> for X, in place of the <paramref name="rows"/>×n row-major <paramref name="b"/>, with L lower
    /// triangular (n×n row-major, nonzero diagonal): <c>X = B L⁻¹</c> by substitution, never an explicit inverse.
    /// Rows run in parallel, each by the same arithmetic (bit-identical for any thread count).
    /// </summary>
    public static void SolveRightLower(Span<double> b, int rows, int n, ReadOnlySpan<double> l, int threads)
    {
        // Lᵀ row-major: column c of L below the diagonal becomes the contiguous row c of the transpose.
        var upper = new double[(long)n * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c <= r; c++) upper[(long)c * n + r] = l[r * n + c];
        var x = b[..(rows * n)].ToArray();
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, r =>
        {
            var row = x.AsSpan(r * n, n);
            for (int c = n - 1; c >= 0; c--)
            {
                int tail = n - c - 1;
                row[c] = (row[c] - TensorPrimitives.Dot<double>(row.Slice(c + 1, tail), upper.AsSpan(c * n + c + 1, tail))) / upper[c * n + c];
            }
        });
        x.CopyTo(b);
    }
}
