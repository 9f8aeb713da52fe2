using Alds.Engine.Linalg;

using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

public class SymmetricEigenTests
{
    // Backward-stable bound, as for LAPACK: |λ − λ_lapack| ≤ 4·n·eps·max|λ| (+ the oracle's own error).
    private static void AssertMatchesLapack(double[] sym, int n, string what)
    {
        var expect = Lapack.EigenValues(sym, n);
        var a = (double[])sym.Clone();
        var w = new double[n];
        SymmetricEigen.Values(a, n, w);
        double scale = n == 0 ? 0 : Math.Max(Math.Abs(expect[0]), Math.Abs(expect[^1]));
        double tol = 4 * Math.Max(n, 1) * 2.22e-16 * scale;
        for (int i = 0; i < n; i++)
            Assert.That(w[i], Is.EqualTo(expect[i]).Within(tol), $"{what} λ[{i}] of {n}");
    }

    [Test]
    public void Values_RandomSymmetricManyOrders_MatchLapackDsyevd()
    {
        int[] orders = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 24, 31, 33, 63, 64, 65, 66, 67, 100, 129, 200];
        foreach (int width in TestMatrices.Widths())
            TestMatrices.AtWidth(width, () =>
            {
                foreach (int n in orders) AssertMatchesLapack(TestMatrices.Symmetric(n, n + 11), n, $"w{width}");
            });
    }

    [Test]
    public void Values_Order300_MatchLapackDsyevd() => AssertMatchesLapack(TestMatrices.Symmetric(300, 3), 300, "n300");

    [Test]
    public void Values_AllZeros_AllZeroNoNaN()
    {
        var w = new double[6];
        SymmetricEigen.Values(new double[36], 6, w);
        Assert.That(w, Is.All.EqualTo(0.0));
    }

    [Test]
    public void Values_Order0And1_Trivial()
    {
        SymmetricEigen.Values(Span<double>.Empty, 0, Span<double>.Empty);
        var w = new double[1];
        SymmetricEigen.Values(new[] { -3.5 }, 1, w);
        Assert.That(w[0], Is.EqualTo(-3.5));
    }

    [Test]
    public void Values_RepeatedAndZeroEigenvalues_MatchClosedForm()
    {
        // Q diag(5,5,5,2,2,0,0,0,0,-1) Qᵀ: exact spectrum known.
        double[] lam = [5, 5, 5, 2, 2, 0, 0, 0, 0, -1];
        int n = lam.Length;
        var q = TestMatrices.Orthonormal(n, n, 21);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int r = 0; r < n; r++) a[i * n + j] += q[i * n + r] * lam[r] * q[j * n + r];
        var w = new double[n];
        SymmetricEigen.Values(a, n, w);
        for (int i = 0; i < n; i++) Assert.That(w[i], Is.EqualTo(lam[i]).Within(1e-13), $"λ[{i}]");
    }

    [Test]
    public void Values_HugeAndTinyScales_ScaleExactly()
    {
        int n = 40;
        var b = TestMatrices.Symmetric(n, 5);
        var reference = new double[n];
        SymmetricEigen.Values((double[])b.Clone(), n, reference);
        foreach (double s in new[] { 1e-150, 1e-30, 1e30, 1e150, 1e300 })
        {
            var a = b.Select(x => x * s).ToArray();
            var w = new double[n];
            SymmetricEigen.Values(a, n, w);
            for (int i = 0; i < n; i++)
                Assert.That(w[i], Is.EqualTo(reference[i] * s).Within(1e-13 * Math.Abs(reference[0]) * s), $"scale {s} λ[{i}]");
        }
    }

    [Test]
    public void Values_GradedDiagonalSpanning1e30To1eMinus30_MatchLapack()
    {
        int n = 12;
        var a = new double[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = Math.Pow(10, 30 - 60.0 * i / (n - 1));
        for (int i = 1; i < n; i++) a[i * n + i - 1] = a[(i - 1) * n + i] = 1e-3 * Math.Sqrt(a[i * n + i] * a[(i - 1) * n + i - 1]);
        AssertMatchesLapack(a, n, "graded");
    }

    [Test]
    public void Values_ScratchOverload_NoHeapAllocation()
    {
        int n = 64;
        var a = TestMatrices.Symmetric(n, 2);
        var w = new double[n];
        var scratch = new double[SymmetricEigen.ScratchLength(n)];
        SymmetricEigen.Values((double[])a.Clone(), n, w, scratch);
        var copy = (double[])a.Clone();
        long before = GC.GetAllocatedBytesForCurrentThread();
        SymmetricEigen.Values(copy, n, w, scratch);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(after - before, Is.Zero);
    }

    [Test]
    public void Values_NonFiniteOrShortSpans_Throw()
    {
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Values(new[] { 1.0, 0, double.NaN, 1 }, 2, new double[2]));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Values(new double[3], 2, new double[2]));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Values(new double[4], 2, new double[1]));
    }
}
