using Alds.Engine.Linalg;

using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

public class SpectralNormTests
{
    // Contract: 1e-4 relative (the caller's need); checked here at 1e-8 against LAPACK dgesdd's σ_max.
    [TestCase(40, 70)]
    [TestCase(300, 1000)]
    [TestCase(1000, 300)]
    public void Largest_Dense_MatchesLapack(int m, int n)
    {
        var r = TestMatrices.Gaussian(m * n, m + n);
        double expect = Lapack.SingularValues(r, m, n)[0];
        Assert.That(SpectralNorm.Largest(r, m, n, n), Is.EqualTo(expect).Within(1e-8 * expect));
    }

    [Test]
    public void Largest_FlatResidualSpectrum_MatchesClosedForm()
    {
        // A truncation residual: many nearly equal σ (the hard case for power iteration).
        int m = 300, n = 400;
        var spec = Enumerable.Range(0, m).Select(i => 1.0 - 1e-3 * i / m).ToArray();
        var r = TestMatrices.WithSpectrum(m, n, spec, 9);
        Assert.That(SpectralNorm.Largest(r, m, n, n), Is.EqualTo(1.0).Within(1e-4));
        Assert.That(Lanczos(r, m, n), Is.EqualTo(1.0).Within(1e-4));
    }

    // The operator overload (Lanczos), whatever the dense overload's exact-route limit.
    private static double Lanczos(double[] r, int m, int n) =>
        SpectralNorm.Largest(m, n,
            (x, y) => { for (int i = 0; i < m; i++) { double s = 0; for (int j = 0; j < n; j++) s += r[i * n + j] * x[j]; y[i] = s; } },
            (x, y) => { y.Clear(); for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) y[j] += r[i * n + j] * x[i]; });

    [TestCase(300, 1000)]
    [TestCase(1000, 300)]
    [TestCase(5, 3)]
    public void Largest_LanczosOperator_MatchesLapack(int m, int n)
    {
        var r = TestMatrices.Gaussian(m * n, 2 * m + n);
        double expect = Lapack.SingularValues(r, m, n)[0];
        Assert.That(Lanczos(r, m, n), Is.EqualTo(expect).Within(1e-8 * expect));
    }

    [Test]
    public void Largest_ZeroAndEmpty_Zero()
    {
        Assert.That(SpectralNorm.Largest(new double[300 * 300], 300, 300, 300), Is.EqualTo(0.0));
        Assert.That(SpectralNorm.Largest(ReadOnlySpan<double>.Empty, 0, 4, 4), Is.EqualTo(0.0));
    }
}
