using Alds.Engine.Linalg;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

/// <summary>
/// The two-stage (band, then bulge chasing) tridiagonalisation against LAPACK: the eigenvalues of our T (by LAPACK
/// dsterf) against dsyevd on A, at odd and even orders around the band width and the large orders the sweep sends it,
/// on random, rank-deficient and clustered spectra; and 1 vs 2 threads bit-identical.
/// Tolerance: backward stable, |λ(T) − λ(A)| ≤ 4·n·eps·max|λ| (the bound of the one-stage kernels' tests).
/// </summary>
public class TwoStageTridiagonalTests
{
    private const double Eps = 2.220446049250313e-16;

    private static (double[] D, double[] E) Reduce(double[] sym, int n, int threads)
    {
        var a = (double[])sym.Clone();
        // Only the lower triangle is the input: poison the upper one.
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) a[i * n + j] = double.NaN;
        var d = new double[n];
        var e = new double[Math.Max(n - 1, 0)];
        TwoStageTridiagonal.Reduce(a, n, d, e, threads);
        return (d, e);
    }

    private static void AssertSpectrum(double[] sym, int n, string what)
    {
        var expect = Lapack.EigenValues(sym, n); // descending
        var (d, e) = Reduce(sym, n, 2);
        var got = Lapack.TridiagonalEigenValues(d, e).Reverse().ToArray();
        double scale = Math.Max(Math.Abs(expect[0]), Math.Abs(expect[^1]));
        double tol = 4 * Math.Max(n, 8) * Eps * scale;
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(got[i] - expect[i]));
        Assert.That(worst, Is.LessThanOrEqualTo(tol), $"{what}: largest eigenvalue difference at order {n}");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(33)]
    [TestCase(34)]
    [TestCase(35)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(66)]
    [TestCase(67)]
    [TestCase(100)]
    [TestCase(301)]
    public void Reduce_SmallOrders_EigenvaluesMatchLapack(int n) =>
        AssertSpectrum(TestMatrices.Symmetric(n, 40 + n), n, "random");

    [TestCase(513, 1)]
    [TestCase(1024, 2)]
    [TestCase(2049, 3)]
    public void Reduce_RandomSymmetric_EigenvaluesMatchLapack(int n, int seed) =>
        AssertSpectrum(TestMatrices.Symmetric(n, seed), n, "random");

    [TestCase(513)]
    [TestCase(2049)]
    public void Reduce_RankDeficientGram_EigenvaluesMatchLapack(int n)
    {
        // G Gᵀ of an n×300 Gaussian G: rank 300, n − 300 zero eigenvalues (whole zero panels in stage 1).
        var gram = TestMatrices.RankDeficientGram(n, 300);
        AssertSpectrum(gram, n, "rank-deficient Gram");
    }

    [Test]
    public void Reduce_DiagonalAndZeroMatrices_KeepTheirSpectrum()
    {
        int n = 150;
        var diag = new double[n * n];
        for (int i = 0; i < n; i++) diag[i * n + i] = i % 3 == 0 ? 0 : i;
        AssertSpectrum(diag, n, "diagonal");
        var (d, e) = Reduce(new double[n * n], n, 2);
        Assert.That(d.All(x => x == 0) && e.All(x => x == 0), Is.True, "a zero matrix must stay zero");
    }

    [Test]
    public void Reduce_OneAndTwoThreads_BitIdentical()
    {
        int n = 700;
        var sym = TestMatrices.Symmetric(n, 5);
        var (d1, e1) = Reduce(sym, n, 1);
        var (d2, e2) = Reduce(sym, n, 2);
        Assert.That(d2, Is.EqualTo(d1));
        Assert.That(e2, Is.EqualTo(e1));
    }
}
