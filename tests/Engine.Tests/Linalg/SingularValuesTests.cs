using Alds.Engine.Linalg;

using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

public class SingularValuesTests
{
    // Gram route bound: |σ² − σ_lapack²| ≤ 8·p·eps·σ_max², i.e. |σ − σ_ref| ≤ that / (σ + σ_ref), and never
    // worse than sqrt(8·p·eps)·σ_max for σ near zero.
    private static void AssertMatchesLapack(double[] g, int m, int n, string what)
    {
        int p = Math.Min(m, n);
        var expect = Lapack.SingularValues(g, m, n);
        var s = new double[p];
        SingularValues.Compute(g, m, n, Math.Max(n, 1), s);
        double smax = p == 0 ? 0 : expect[0];
        double tol2 = 8 * Math.Max(p, 1) * 2.22e-16 * smax * smax;
        for (int i = 0; i < p; i++)
        {
            Assert.That(double.IsFinite(s[i]), $"{what} σ[{i}] finite");
            double tol = Math.Min(tol2 / Math.Max(s[i] + expect[i], 1e-300), Math.Sqrt(tol2)) + 1e-300;
            Assert.That(s[i], Is.EqualTo(expect[i]).Within(tol), $"{what} σ[{i}] of {m}×{n}");
        }
        for (int i = 1; i < p; i++) Assert.That(s[i], Is.LessThanOrEqualTo(s[i - 1]), $"{what} descending");
    }

    [TestCase(64, 27)]
    [TestCase(27, 64)]
    [TestCase(64, 576)]
    [TestCase(128, 1152)]
    [TestCase(512, 256)]
    [TestCase(256, 2304)]
    [TestCase(512, 512)]
    [TestCase(1, 50)]
    [TestCase(50, 1)]
    [TestCase(1, 1)]
    [TestCase(33, 33)]
    [TestCase(100, 7)]
    public void Compute_RandomGaussian_MatchesLapackDgesdd(int m, int n) =>
        AssertMatchesLapack(TestMatrices.Gaussian(m * n, m * 1000 + n), m, n, "gauss");

    [Test]
    public void Compute_ZeroSized_WritesNothing()
    {
        var s = new double[1] { 42 };
        SingularValues.Compute(ReadOnlySpan<double>.Empty, 0, 5, 5, s);
        SingularValues.Compute(new double[3], 3, 0, 1, s);
        Assert.That(s[0], Is.EqualTo(42));
    }

    [Test]
    public void Compute_AllZeros_AllZeroNoNaN()
    {
        var s = new double[8];
        SingularValues.Compute(new double[8 * 20], 8, 20, 20, s);
        Assert.That(s, Is.All.EqualTo(0.0));
    }

    [Test]
    public void Compute_RankDeficientAndRepeated_MatchesSpectrum()
    {
        double[] spec = [3, 3, 3, 1, 1, 0.5, 0, 0, 0, 0, 0, 0];
        int m = 12, n = 30;
        var g = TestMatrices.WithSpectrum(m, n, spec, 4);
        AssertMatchesLapack(g, m, n, "rank-deficient");
        var s = new double[m];
        SingularValues.Compute(g, m, n, n, s);
        for (int i = 0; i < 6; i++) Assert.That(s[i], Is.EqualTo(spec[i]).Within(1e-13 * 3));
        for (int i = 6; i < m; i++) Assert.That(s[i], Is.LessThan(Math.Sqrt(8 * m * 2.22e-16) * 3));
    }

    [Test]
    public void Compute_EntriesSpanning1eMinus30To1e30_MatchLapack()
    {
        foreach (double scale in new[] { 1e-30, 1e30 })
        {
            var g = TestMatrices.Gaussian(20 * 45, 77, scale);
            AssertMatchesLapack(g, 20, 45, $"scale {scale}");
        }
        // Rows of wildly different magnitudes in one matrix.
        int m = 10, n = 25;
        var mixed = TestMatrices.Gaussian(m * n, 78);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) mixed[i * n + j] *= Math.Pow(10, -30 + 60.0 * i / (m - 1));
        AssertMatchesLapack(mixed, m, n, "graded rows");
    }

    [Test]
    public void Compute_DecayingSpectraOfConvShapes_MatchLapack()
    {
        // Synthetic stand-ins for ResNet18 channel groups: σ_i = exp(−i/20) (plus a 1e-6 floor).
        foreach (var (m, n) in new[] { (64, 576), (128, 1152) })
        {
            int p = Math.Min(m, n);
            var spec = Enumerable.Range(0, p).Select(i => Math.Exp(-i / 20.0) + 1e-6).ToArray();
            var g = TestMatrices.WithSpectrum(m, n, spec, m);
            AssertMatchesLapack(g, m, n, "decaying");
        }
    }

    [Test]
    public void Compute_FloatInputAndStride_MatchesDoubleOfWidenedValues()
    {
        int m = 40, n = 70, ld = 73;
        var f = TestMatrices.Gaussian(m * ld, 12).Select(x => (float)x).ToArray();
        var d = f.Select(x => (double)x).ToArray();
        var sf = new double[m]; var sd = new double[m];
        SingularValues.Compute(f, m, n, ld, sf);
        SingularValues.Compute(d, m, n, ld, sd);
        Assert.That(sf, Is.EqualTo(sd));
        var dense = new double[m * n];
        for (int i = 0; i < m; i++) Array.Copy(d, i * ld, dense, i * n, n);
        AssertMatchesLapack(dense, m, n, "strided");
    }
}
