namespace Alds.Engine.Analysis;

/// <summary>Placeholder kernels (naive); replaced by the SIMD Linalg core.</summary>
internal static class GroupSpectra
{
    public static void RowGram(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> g)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += a[i * lda + t] * a[j * lda + t];
                g[i * m + j] = s; g[j * m + i] = s;
            }
    }

    public static void ColumnGram(ReadOnlySpan<double> a, int m, int n, int lda, Span<double> g)
    {
        g[..(n * n)].Clear();
        for (int t = 0; t < m; t++)
            for (int i = 0; i < n; i++)
            {
                var ai = a[t * lda + i];
                for (int j = 0; j <= i; j++) g[i * n + j] += ai * a[t * lda + j];
            }
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) g[j * n + i] = g[i * n + j];
    }

    /// <summary>Eigenvalues, descending, by cyclic Jacobi (slow, exact).</summary>
    public static void Eigenvalues(Span<double> a, int n, Span<double> w)
    {
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) { diag += a[i * n + i] * a[i * n + i]; for (int j = 0; j < i; j++) off += a[i * n + j] * a[i * n + j]; }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int r = 0; r < n; r++)
                    {
                        double arp = a[r * n + p], arq = a[r * n + q];
                        a[r * n + p] = c * arp - s * arq; a[r * n + q] = s * arp + c * arq;
                    }
                    for (int r = 0; r < n; r++)
                    {
                        double apr = a[p * n + r], aqr = a[q * n + r];
                        a[p * n + r] = c * apr - s * aqr; a[q * n + r] = s * apr + c * aqr;
                    }
                }
        }
        for (int i = 0; i < n; i++) w[i] = a[i * n + i];
        w[..n].Sort((x, y) => y.CompareTo(x));
    }
}
