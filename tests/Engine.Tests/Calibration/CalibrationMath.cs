namespace Alds.Engine.Tests.Calibration;

/// <summary>Plain triple-loop helpers for the calibration oracles (independent of the engine's kernels).</summary>
internal static class CalibrationMath
{
    public static double[] Random(int count, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (rng.NextDouble() - 0.5) * scale).ToArray();
    }

    /// <summary>A second moment with correlated coordinates: X Xᵀ / p for X = n×p with a few dominant directions.</summary>
    public static double[] Moment(int n, int p, int seed)
    {
        var x = Random(n * p, seed);
        var mix = Random(n * n, seed + 1);
        var y = new double[n * p];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < p; t++)
            {
                double s = 0;
                for (int a = 0; a <= i; a++) s += mix[i * n + a] * x[a * p + t] * (a < 3 ? 5 : 1);
                y[i * p + t] = s;
            }
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < p; t++) s += y[i * p + t] * y[j * p + t];
                c[i * n + j] = s / p;
            }
        return c;
    }

    /// <summary>A·B for row-major a (m×k) and b (k×n).</summary>
    public static double[] Multiply(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    public static double[] Transpose(double[] a, int m, int n)
    {
        var t = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
        return t;
    }

    /// <summary>Columns [c0, c0 + n) of the m×total matrix.</summary>
    public static double[] Columns(double[] a, int m, int total, int c0, int n)
    {
        var r = new double[m * n];
        for (int i = 0; i < m; i++) Array.Copy(a, i * total + c0, r, i * n, n);
        return r;
    }

    /// <summary>Block (c0..c0+n)² of the symmetric total×total matrix (full), plus delta on the diagonal.</summary>
    public static double[] Block(double[] c, int total, int c0, int n, double delta)
    {
        var r = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) r[i * n + j] = c[(c0 + i) * total + c0 + j] + (i == j ? delta : 0);
        return r;
    }

    public static double MeanDiagonal(double[] c, int n, int c0 = 0, int len = -1)
    {
        if (len < 0) len = n;
        double s = 0;
        for (int i = c0; i < c0 + len; i++) s += c[i * n + i];
        return s / len;
    }

    /// <summary>Singular values of G·L with L Lᵀ = S: square roots of the eigenvalues of G S Gᵀ (LAPACK dsyevd), descending.</summary>
    public static double[] WhitenedSingularValues(double[] g, double[] s, int m, int n)
    {
        var h = Multiply(Multiply(g, s, m, n, n), Transpose(g, m, n), m, n, m);
        return Oracles.Lapack.EigenValues(h, m).Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray();
    }
}
