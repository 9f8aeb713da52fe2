using Alds.Engine.Linalg;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

/// <summary>
/// The blocked (dlatrd panel + rank-2·nb update) tridiagonalisation against LAPACK: eigenvalues of our T (by
/// dsterf) against dsyevd on A, the reduction's identity A Q = Q T, and 1 vs 2 threads bit-identical.
/// Tolerance: backward stable, |λ(T) − λ(A)| ≤ 4·n·eps·max|λ| (the bound SymmetricEigenTests uses for the fused kernel).
/// </summary>
public class BlockedTridiagonalTests
{
    private const double Eps = 2.220446049250313e-16;

    private static (double[] D, double[] E, double[] Reflectors, double[] Taus) Reduce(double[] sym, int n, int fusedOrder, int threads, bool keep = true)
    {
        var a = (double[])sym.Clone();
        var d = new double[n];
        var e = new double[Math.Max(n - 1, 0)];
        var reflectors = keep ? new double[n * n] : [];
        var taus = keep ? new double[n] : [];
        BlockedTridiagonal.Reduce(a, n, d, e, reflectors, taus, fusedOrder, threads);
        return (d, e, reflectors, taus);
    }

    private static void AssertSpectrum(double[] sym, int n, int fusedOrder, string what)
    {
        var expect = Lapack.EigenValues(sym, n); // descending
        var (d, e, _, _) = Reduce(sym, n, fusedOrder, 2, keep: false);
        var got = Lapack.TridiagonalEigenValues(d, e).Reverse().ToArray();
        double scale = Math.Max(Math.Abs(expect[0]), Math.Abs(expect[^1]));
        double tol = 4 * n * Eps * scale;
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(got[i] - expect[i]));
        Assert.That(worst, Is.LessThanOrEqualTo(tol), $"{what}: largest eigenvalue difference at order {n}");
    }

    [TestCase(513, 1)]
    [TestCase(1024, 2)]
    [TestCase(2049, 3)]
    public void Reduce_RandomSymmetric_EigenvaluesMatchLapack(int n, int seed) =>
        AssertSpectrum(TestMatrices.Symmetric(n, seed), n, TridiagonalReduction.FusedTail, "random");

    [TestCase(513)]
    [TestCase(1024)]
    [TestCase(2049)]
    public void Reduce_RankDeficientGram_EigenvaluesMatchLapack(int n)
    {
        // G Gᵀ of an n×300 Gaussian G: rank 300, n − 300 zero eigenvalues.
        var gram = TestMatrices.RankDeficientGram(n, 300);
        AssertSpectrum(gram, n, TridiagonalReduction.FusedTail, "rank-deficient Gram");
    }

    [TestCase(1024)]
    [TestCase(2049)]
    public void Reduce_ClusteredSpectrum_EigenvaluesMatchLapack(int n) =>
        AssertSpectrum(Clustered(n, 9), n, TridiagonalReduction.FusedTail, "clustered");

    /// <summary>Q D Qᵀ with Q three random reflectors and D in five tight clusters (spread 1e-13) plus zeros.</summary>
    private static double[] Clustered(int n, int seed)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = i % 6 == 5 ? 0 : (1 + i % 6) * (1 + 1e-13 * i / n);
        var rng = new Random(seed);
        for (int h = 0; h < 3; h++)
        {
            var v = TestMatrices.Gaussian(n, rng.Next());
            double vv = v.Sum(x => x * x);
            // A ← H A H with H = I − 2 v vᵀ / vᵀv: A − v pᵀ − p vᵀ with p = 2 (A v − (vᵀA v / vᵀv) v) / vᵀv.
            var av = new double[n];
            for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += a[i * n + j] * v[j]; av[i] = s; }
            double vav = av.Zip(v, (x, y) => x * y).Sum();
            var p = new double[n];
            for (int i = 0; i < n; i++) p[i] = 2 * (av[i] - vav / vv * v[i]) / vv;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) a[i * n + j] -= v[i] * p[j] + p[i] * v[j];
        }
        return a;
    }

    [Test]
    public void Reduce_ModerateOrderManyPanels_QTransposeAQIsT()
    {
        // Order 301 with the fused hand-over at 64: seven panels and an odd tail; A Q = Q T with Q orthogonal.
        int n = 301;
        var sym = TestMatrices.Symmetric(n, 17);
        var (d, e, reflectors, taus) = Reduce(sym, n, 64, 2);
        // Rows of q: Q e_i, i.e. the columns of Q.
        var q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;
        ReflectorProduct.Apply(reflectors, taus, n, q, n, 1);
        double norm = 0;
        for (int i = 0; i < n; i++) norm = Math.Max(norm, Enumerable.Range(0, n).Sum(j => Math.Abs(sym[i * n + j])));
        double worst = 0, orth = 0;
        for (int c = 0; c < n; c++)
        {
            // (A Q)_{:,c} − (Q T)_{:,c} = A q_c − (e_{c−1} q_{c−1} + d_c q_c + e_c q_{c+1})
            for (int i = 0; i < n; i++)
            {
                double aq = 0;
                for (int j = 0; j < n; j++) aq += sym[i * n + j] * q[c * n + j];
                double qt = d[c] * q[c * n + i] + (c > 0 ? e[c - 1] * q[(c - 1) * n + i] : 0) + (c < n - 1 ? e[c] * q[(c + 1) * n + i] : 0);
                worst = Math.Max(worst, Math.Abs(aq - qt));
            }
            for (int b = 0; b <= c; b++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[c * n + i] * q[b * n + i];
                orth = Math.Max(orth, Math.Abs(dot - (b == c ? 1 : 0)));
            }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(n * Eps * norm), "max |A Q − Q T|");
        Assert.That(orth, Is.LessThanOrEqualTo(n * Eps), "max |QᵀQ − I|");
    }

    [Test]
    public void Reduce_EveryWidth_MatchesTheFusedKernelsSpectrum()
    {
        int n = 203;
        var sym = TestMatrices.Symmetric(n, 23);
        var expect = Lapack.EigenValues(sym, n);
        foreach (int width in TestMatrices.Widths())
            TestMatrices.AtWidth(width, () =>
            {
                var (d, e, _, _) = Reduce(sym, n, 64, 2);
                var got = Lapack.TridiagonalEigenValues(d, e).Reverse().ToArray();
                for (int i = 0; i < n; i++)
                    Assert.That(got[i], Is.EqualTo(expect[i]).Within(4 * n * Eps * Math.Abs(expect[0])), $"width {width}, λ[{i}]");
            });
    }

    [TestCase(1024)]
    [TestCase(777)]
    public void Reduce_OneAndTwoThreads_BitIdentical(int n)
    {
        var sym = TestMatrices.Symmetric(n, 31);
        var one = Reduce(sym, n, 128, 1);
        var two = Reduce(sym, n, 128, 2);
        Assert.That(two.D, Is.EqualTo(one.D));
        Assert.That(two.E, Is.EqualTo(one.E));
        Assert.That(two.Taus, Is.EqualTo(one.Taus));
        Assert.That(two.Reflectors, Is.EqualTo(one.Reflectors));
    }

    [Test]
    public void SymmetricEigen_AboveTheCrossover_MatchesLapack()
    {
        int n = TridiagonalReduction.BlockedFrom + 37;
        var sym = TestMatrices.Symmetric(n, 41);
        var expect = Lapack.EigenValues(sym, n);
        var w = new double[n];
        SymmetricEigen.Values((double[])sym.Clone(), n, w);
        var w2 = new double[n];
        SymmetricEigen.Values((double[])sym.Clone(), n, w2, 2);
        Assert.That(w2, Is.EqualTo(w), "1 and 2 threads");
        double tol = 4 * n * Eps * Math.Max(Math.Abs(expect[0]), Math.Abs(expect[^1]));
        for (int i = 0; i < n; i++) Assert.That(w[i], Is.EqualTo(expect[i]).Within(tol), $"λ[{i}]");
    }
}
