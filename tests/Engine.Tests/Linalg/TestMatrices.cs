namespace Alds.Engine.Tests.Linalg;

/// <summary>Seeded test matrices.</summary>
internal static class TestMatrices
{
    public static double[] Gaussian(int count, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var a = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return a;
    }

    /// <summary>Random symmetric n×n (both triangles filled).</summary>
    public static double[] Symmetric(int n, int seed)
    {
        var g = Gaussian(n * n, seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                a[i * n + j] = a[j * n + i] = g[i * n + j];
        return a;
    }

    /// <summary>G Gᵀ (n×n, both triangles) of an n×rank Gaussian G seeded by n: rank <paramref name="rank"/>, n − rank zero eigenvalues.</summary>
    public static double[] RankDeficientGram(int n, int rank)
    {
        var g = Gaussian(n * rank, n);
        var gram = new double[n * n];
        Parallel.For(0, n, i =>
        {
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int t = 0; t < rank; t++) s += g[i * rank + t] * g[j * rank + t];
                gram[i * n + j] = gram[j * n + i] = s;
            }
        });
        return gram;
    }

    /// <summary>Random orthonormal columns (n×k, row-major) by modified Gram–Schmidt, twice.</summary>
    public static double[] Orthonormal(int n, int k, int seed)
    {
        var q = Gaussian(n * k, seed);
        for (int pass = 0; pass < 2; pass++)
            for (int c = 0; c < k; c++)
            {
                for (int p = 0; p < c; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[i * k + c] * q[i * k + p];
                    for (int i = 0; i < n; i++) q[i * k + c] -= dot * q[i * k + p];
                }
                double nrm = 0;
                for (int i = 0; i < n; i++) nrm += q[i * k + c] * q[i * k + c];
                nrm = Math.Sqrt(nrm);
                for (int i = 0; i < n; i++) q[i * k + c] /= nrm;
            }
        return q;
    }

    /// <summary>m×n matrix U diag(s) Vᵀ with random orthonormal U, V; s has min(m, n) entries.</summary>
    public static double[] WithSpectrum(int m, int n, double[] s, int seed)
    {
        int p = s.Length;
        var u = Orthonormal(m, p, seed);
        var v = Orthonormal(n, p, seed + 1);
        var a = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int r = 0; r < p; r++)
            {
                double f = u[i * p + r] * s[r];
                if (f == 0) continue;
                for (int j = 0; j < n; j++) a[i * n + j] += f * v[j * p + r];
            }
        return a;
    }

    /// <summary>Runs <paramref name="body"/> once per SIMD width this machine supports (512, 256, scalar).</summary>
    public static IEnumerable<int> Widths()
    {
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) yield return 512;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) yield return 256;
        yield return 0;
    }

    public static void AtWidth(int width, Action body)
    {
        int saved = Alds.Engine.Linalg.SimdLevel.Width;
        Alds.Engine.Linalg.SimdLevel.Width = width;
        try { body(); }
        finally { Alds.Engine.Linalg.SimdLevel.Width = saved; }
    }
}
