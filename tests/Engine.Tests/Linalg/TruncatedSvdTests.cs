using Alds.Engine.Linalg;

using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

public class TruncatedSvdTests
{
    private static double OrthonormalityError(double[] x, int rows, int cols, bool columns)
    {
        // columns: x is rows×cols and its columns should be orthonormal; else its rows.
        int k = columns ? cols : rows, len = columns ? rows : cols;
        double worst = 0;
        for (int a = 0; a < k; a++)
            for (int b = 0; b <= a; b++)
            {
                double s = 0;
                for (int t = 0; t < len; t++)
                    s += columns ? x[t * cols + a] * x[t * cols + b] : x[a * cols + t] * x[b * cols + t];
                worst = Math.Max(worst, Math.Abs(s - (a == b ? 1 : 0)));
            }
        return worst;
    }

    private static double ResidualFrobenius(double[] g, int m, int n, TruncatedSvd svd)
    {
        double sum = 0;
        var row = new double[n];
        for (int i = 0; i < m; i++)
        {
            Array.Copy(g, i * n, row, 0, n);
            for (int r = 0; r < svd.Rank; r++)
            {
                double f = svd.U[i * svd.Rank + r] * svd.S[r];
                for (int c = 0; c < n; c++) row[c] -= f * svd.Vt[r * n + c];
            }
            foreach (double x in row) sum += x * x;
        }
        return Math.Sqrt(sum);
    }

    // Contract: orthonormality ≤ 1e-10; |‖G − U S Vᵀ‖_F − sqrt(Σ_{i>j} σ_i²)| ≤ 1e-9·‖G‖_F (σ from LAPACK dgesdd);
    // S within 1e-10·σ_max of LAPACK.
    private static void AssertOptimal(double[] g, int m, int n, int j, string what)
    {
        var svd = TruncatedSvd.Compute(g, m, n, n, j);
        Assert.That(svd.Rank, Is.EqualTo(j));
        var sigma = Lapack.SingularValues(g, m, n);
        double fro = Math.Sqrt(sigma.Sum(x => x * x));
        double optimal = Math.Sqrt(sigma.Skip(j).Sum(x => x * x));
        Assert.That(OrthonormalityError(svd.U, m, j, columns: true), Is.LessThanOrEqualTo(1e-10), $"{what} UᵀU");
        Assert.That(OrthonormalityError(svd.Vt, j, n, columns: false), Is.LessThanOrEqualTo(1e-10), $"{what} VᵀV");
        Assert.That(ResidualFrobenius(g, m, n, svd), Is.EqualTo(optimal).Within(1e-9 * fro + 1e-300), $"{what} residual");
        for (int r = 0; r < j; r++)
            Assert.That(svd.S[r], Is.EqualTo(sigma[r]).Within(1e-10 * (sigma.Length > 0 ? sigma[0] : 0) + 1e-300), $"{what} σ[{r}]");
    }

    [TestCase(30, 80, 10)]
    [TestCase(80, 30, 10)]
    [TestCase(64, 576, 64)]
    [TestCase(64, 27, 27)]
    [TestCase(1, 40, 1)]
    [TestCase(40, 1, 1)]
    [TestCase(17, 17, 5)]
    [TestCase(5, 9, 0)]
    public void Compute_Gaussian_OptimalAndOrthonormal(int m, int n, int j) =>
        AssertOptimal(TestMatrices.Gaussian(m * n, m * 31 + n), m, n, j, "gauss");

    [Test]
    public void Compute_DecayingSpectrumConvShape_OptimalAndOrthonormal()
    {
        int m = 128, n = 1152;
        var spec = Enumerable.Range(0, m).Select(i => Math.Exp(-i / 15.0)).ToArray();
        AssertOptimal(TestMatrices.WithSpectrum(m, n, spec, 3), m, n, 40, "decaying");
    }

    [Test]
    public void Compute_RankDeficientBeyondRank_CompletesOrthonormally()
    {
        double[] spec = [4, 2, 2, 1, 0, 0, 0, 0];
        int m = 8, n = 20;
        var g = TestMatrices.WithSpectrum(m, n, spec, 6);
        AssertOptimal(g, m, n, 6, "rank 4, j 6");
        AssertOptimal(g, m, n, 4, "rank 4, j 4");
    }

    [Test]
    public void Compute_AllZeros_ZeroValuesOrthonormalVectors()
    {
        var svd = TruncatedSvd.Compute(new double[6 * 9], 6, 9, 9, 4);
        Assert.That(svd.S, Is.All.EqualTo(0.0));
        Assert.That(OrthonormalityError(svd.U, 6, 4, true), Is.LessThanOrEqualTo(1e-12));
        Assert.That(OrthonormalityError(svd.Vt, 4, 9, false), Is.LessThanOrEqualTo(1e-12));
    }

    [Test]
    public void Compute_HugeEntries_ScaleInvariant()
    {
        int m = 12, n = 25;
        var g = TestMatrices.Gaussian(m * n, 14, 1e30);
        AssertOptimal(g, m, n, 5, "1e30");
        var t = TestMatrices.Gaussian(m * n, 14, 1e-30);
        AssertOptimal(t, m, n, 5, "1e-30");
    }

    [Test]
    public void Compute_RankOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(new double[12], 3, 4, 4, 4));
        Assert.Throws<ArgumentException>(() => TruncatedSvd.Compute(new[] { 1.0, double.NaN }, 1, 2, 2, 1));
    }
}
