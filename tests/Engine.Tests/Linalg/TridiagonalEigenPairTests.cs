using Alds.Engine.Linalg;

using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

/// <summary>The interleaved two-matrix tridiagonal stage: bit-identical to one call per matrix, and LAPACK-accurate.</summary>
public class TridiagonalEigenPairTests
{
    private static (double[] d, double[] e) Tridiagonal(int n, int seed, string kind)
    {
        var g = TestMatrices.Gaussian(2 * n + 1, seed);
        var d = new double[n];
        var e = new double[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
        {
            d[i] = kind switch { "graded" => g[i] * Math.Pow(10, -12.0 * i / Math.Max(n, 1)), "split" => g[i], _ => g[i] };
            if (i < n - 1)
                e[i] = kind switch
                {
                    "graded" => g[n + i] * Math.Pow(10, -12.0 * i / n),
                    "split" => i % 7 == 3 ? 0 : g[n + i],
                    "clustered" => 1e-9 * g[n + i],
                    _ => g[n + i],
                };
        }
        if (kind == "clustered") for (int i = 0; i < n; i++) d[i] = 1 + 1e-12 * (i % 3);
        if (kind == "reversed") Array.Reverse(d, 0, n); // large end first: the QR direction
        if (kind == "reversed") for (int i = 0; i < n; i++) d[i] = i < n / 2 ? 100 + d[i] : d[i];
        return (d, e);
    }

    [Test]
    public void ValuesPair_ManyOrdersAndShapes_BitIdenticalToValues()
    {
        int[] orders = [0, 1, 2, 3, 5, 8, 17, 64, 130, 257];
        string[] kinds = ["random", "graded", "split", "clustered", "reversed"];
        int seed = 1;
        foreach (var k1 in kinds)
            foreach (var k2 in kinds)
                foreach (int n1 in orders)
                {
                    int n2 = orders[(Array.IndexOf(orders, n1) * 3 + 1) % orders.Length];
                    var (d1, e1) = Tridiagonal(n1, seed++, k1);
                    var (d2, e2) = Tridiagonal(n2, seed++, k2);
                    var (s1d, s1e) = ((double[])d1.Clone(), (double[])e1.Clone());
                    var (s2d, s2e) = ((double[])d2.Clone(), (double[])e2.Clone());
                    TridiagonalEigen.Values(s1d, s1e, n1);
                    TridiagonalEigen.Values(s2d, s2e, n2);
                    TridiagonalEigen.ValuesPair(d1, e1, n1, d2, e2, n2);
                    Assert.That(d1, Is.EqualTo(s1d).AsCollection, $"{k1} n={n1} (paired with {k2} n={n2})");
                    Assert.That(d2, Is.EqualTo(s2d).AsCollection, $"{k2} n={n2} (paired with {k1} n={n1})");
                }
    }

    [Test]
    public void SymmetricValuesPair_RandomPairs_MatchLapackDsyevd()
    {
        (int, int)[] pairs = [(0, 5), (1, 1), (4, 33), (64, 64), (100, 7), (129, 200), (256, 256)];
        foreach (var (n1, n2) in pairs)
        {
            var m1 = TestMatrices.Symmetric(n1, n1 + 101);
            var m2 = TestMatrices.Symmetric(n2, n2 + 202);
            var w1 = new double[n1];
            var w2 = new double[n2];
            SymmetricEigen.ValuesPair((double[])m1.Clone(), n1, w1, new double[SymmetricEigen.ScratchLength(n1)],
                (double[])m2.Clone(), n2, w2, new double[SymmetricEigen.ScratchLength(n2)]);
            Check(m1, n1, w1, $"first of ({n1}, {n2})");
            Check(m2, n2, w2, $"second of ({n1}, {n2})");
        }

        static void Check(double[] sym, int n, double[] w, string what)
        {
            var expect = Lapack.EigenValues(sym, n);
            double scale = n == 0 ? 0 : Math.Max(Math.Abs(expect[0]), Math.Abs(expect[^1]));
            double tol = 4 * Math.Max(n, 1) * 2.22e-16 * scale;
            for (int i = 0; i < n; i++) Assert.That(w[i], Is.EqualTo(expect[i]).Within(tol), $"{what} λ[{i}]");
        }
    }

    [Test]
    public void SymmetricValuesPair_ZeroAndNonzero_ZeroGivesZerosOtherUnchanged()
    {
        int n = 40;
        var m = TestMatrices.Symmetric(n, 9);
        var alone = new double[n];
        SymmetricEigen.Values((double[])m.Clone(), n, alone);
        var w1 = new double[n];
        var w2 = Enumerable.Repeat(double.NaN, n).ToArray();
        SymmetricEigen.ValuesPair((double[])m.Clone(), n, w1, new double[SymmetricEigen.ScratchLength(n)],
            new double[n * n], n, w2, new double[SymmetricEigen.ScratchLength(n)]);
        Assert.That(w1, Is.EqualTo(alone).AsCollection);
        Assert.That(w2, Is.All.EqualTo(0.0));
    }
}
