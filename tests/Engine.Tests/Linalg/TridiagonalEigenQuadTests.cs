using Alds.Engine.Analysis;
using Alds.Engine.Linalg;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

/// <summary>
/// The tridiagonal eigenvalue stage: LAPACK dsterf-accurate on adversarial matrices, and the four-way interleaved
/// path (<see cref="TridiagonalEigen.ValuesQuad"/>) bit-identical to one <see cref="TridiagonalEigen.Values"/> per matrix.
/// </summary>
public class TridiagonalEigenQuadTests
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>Named adversarial tridiagonals (d, e with e.Length = max(n − 1, 0)).</summary>
    private static IEnumerable<(string name, double[] d, double[] e)> Adversarial()
    {
        yield return ("n=1", [-3.5], []);
        yield return ("n=2", [1, 2], [3]);
        yield return ("n=2 equal diagonal", [1, 1], [1e-300]);
        yield return ("n=3", [2, -1, 4], [0.5, -0.25]);
        yield return ("n=3 zero", [0, 0, 0], [0, 0]);
        yield return ("zero matrix", new double[17], new double[16]);
        yield return ("zero diagonal", new double[40], Enumerable.Repeat(1.0, 39).ToArray());
        yield return ("repeated diagonal, no coupling", Enumerable.Repeat(2.5, 30).ToArray(), new double[29]);
        yield return ("repeated diagonal, tiny coupling", Enumerable.Repeat(2.5, 30).ToArray(), Enumerable.Repeat(1e-17, 29).ToArray());
        yield return ("identity plus ones", Enumerable.Repeat(1.0, 50).ToArray(), Enumerable.Repeat(1.0, 49).ToArray());
        int w = 21; // Wilkinson W21+: pairs of nearly equal eigenvalues
        yield return ("Wilkinson W21+", Enumerable.Range(0, w).Select(i => (double)Math.Abs(10 - i)).ToArray(), Enumerable.Repeat(1.0, w - 1).ToArray());
        // Glued Wilkinson: five copies of W21+ joined by 1e-8 (clusters of five).
        var gd = Enumerable.Range(0, 5 * w).Select(i => (double)Math.Abs(10 - i % w)).ToArray();
        var ge = Enumerable.Range(0, 5 * w - 1).Select(i => i % w == w - 1 ? 1e-8 : 1.0).ToArray();
        yield return ("glued Wilkinson", gd, ge);
        var rng = new Random(5);
        int n = 60;
        yield return ("graded 1e0..1e-200", Enumerable.Range(0, n).Select(i => Math.Pow(10, -200.0 * i / n)).ToArray(),
            Enumerable.Range(0, n - 1).Select(i => 0.5 * Math.Pow(10, -200.0 * (i + 0.5) / n)).ToArray());
        yield return ("graded reversed (QR direction)", Enumerable.Range(0, n).Select(i => Math.Pow(10, -200.0 * (n - 1 - i) / n)).ToArray(),
            Enumerable.Range(0, n - 1).Select(i => 0.5 * Math.Pow(10, -200.0 * (n - 1.5 - i) / n)).ToArray());
        yield return ("huge entries", Enumerable.Range(0, n).Select(_ => 1e300 * (rng.NextDouble() - 0.5)).ToArray(),
            Enumerable.Range(0, n - 1).Select(_ => 1e300 * (rng.NextDouble() - 0.5)).ToArray());
        yield return ("tiny entries", Enumerable.Range(0, n).Select(_ => 1e-300 * (rng.NextDouble() - 0.5)).ToArray(),
            Enumerable.Range(0, n - 1).Select(_ => 1e-300 * (rng.NextDouble() - 0.5)).ToArray());
        yield return ("split blocks, mixed scales", Enumerable.Range(0, n).Select(i => (i < n / 2 ? 1e150 : 1e-150) * (rng.NextDouble() + 0.5)).ToArray(),
            Enumerable.Range(0, n - 1).Select(i => i == n / 2 - 1 ? 0 : (i < n / 2 ? 1e150 : 1e-150) * rng.NextDouble()).ToArray());
        // A Gram-like spectrum: positive semidefinite with many zero eigenvalues (rank 10 of 80).
        var (rd, re) = GramTridiagonal(80, 10, 3);
        yield return ("rank-deficient Gram", rd, re);
        yield return ("random 300", Enumerable.Range(0, 300).Select(_ => rng.NextDouble() - 0.5).ToArray(),
            Enumerable.Range(0, 299).Select(_ => rng.NextDouble() - 0.5).ToArray());
    }

    private static (double[] d, double[] e) GramTridiagonal(int n, int rank, int seed)
    {
        var g = TestMatrices.Gaussian(n * rank, seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int t = 0; t < rank; t++) s += g[i * rank + t] * g[j * rank + t];
                a[i * n + j] = s;
            }
        var d = new double[n];
        var e = new double[n];
        HouseholderTridiagonal.Reduce(a, n, d, e, new double[HouseholderTridiagonal.ScratchLength(n)], default, default);
        return (d, e[..(n - 1)]);
    }

    [Test]
    public void Values_AdversarialTridiagonals_MatchLapackDsterf()
    {
        foreach (var (name, d0, e0) in Adversarial())
        {
            int n = d0.Length;
            var expect = Lapack.TridiagonalEigenValues(d0, e0);
            var d = (double[])d0.Clone();
            var e = (double[])e0.Clone();
            TridiagonalEigen.Values(d, e, n);
            double norm = 0;
            for (int i = 0; i < n; i++) norm = Math.Max(norm, Math.Abs(d0[i]) + (i > 0 ? Math.Abs(e0[i - 1]) : 0) + (i < n - 1 ? Math.Abs(e0[i]) : 0));
            double tol = 4 * Math.Max(n, 1) * Eps * norm;
            for (int i = 0; i < n; i++)
                Assert.That(d[i], Is.EqualTo(expect[i]).Within(tol), $"{name}: λ[{i}] of {n}");
        }
    }

    [Test]
    public void ValuesQuad_MixedSizesAndShapes_BitIdenticalToValues()
    {
        var cases = Adversarial().ToList();
        int[] orders = [0, 1, 2, 3, 4, 9, 36, 37, 144, 257];
        var rng = new Random(11);
        for (int round = 0; round < 60; round++)
        {
            var slots = new (double[] d, double[] e, int n)[4];
            for (int q = 0; q < 4; q++)
            {
                if (rng.Next(3) == 0)
                {
                    var (_, d, e) = cases[rng.Next(cases.Count)];
                    slots[q] = ((double[])d.Clone(), e.Length == 0 ? [0.0] : (double[])e.Clone(), d.Length);
                }
                else
                {
                    int n = orders[rng.Next(orders.Length)];
                    var g = TestMatrices.Gaussian(2 * n + 1, 1000 + round * 4 + q);
                    var d = g[..n];
                    var e = g[n..(2 * n + 1)];
                    if (q == 2) for (int i = 0; i < n; i++) d[i] += i < n / 2 ? 50 : 0; // large first end: reversed (QR) blocks
                    slots[q] = (d, e, n);
                }
            }
            var alone = slots.Select(s => (double[])s.d.Clone()).ToArray();
            for (int q = 0; q < 4; q++) TridiagonalEigen.Values(alone[q], (double[])slots[q].e.Clone(), slots[q].n);
            TridiagonalEigen.ValuesQuad(slots[0].d, slots[0].e, slots[0].n, slots[1].d, slots[1].e, slots[1].n,
                slots[2].d, slots[2].e, slots[2].n, slots[3].d, slots[3].e, slots[3].n);
            for (int q = 0; q < 4; q++)
                Assert.That(slots[q].d, Is.EqualTo(alone[q]).AsCollection, $"round {round}, slot {q} (orders {string.Join(",", slots.Select(s => s.n))})");
        }
    }

    [Test]
    public void ValuesQuad_SameMatrixInEverySlot_SameBitsEverywhere()
    {
        var (d0, e0) = GramTridiagonal(64, 64, 8);
        var d = Enumerable.Range(0, 4).Select(_ => (double[])d0.Clone()).ToArray();
        var e = Enumerable.Range(0, 4).Select(_ => (double[])e0.Clone()).ToArray();
        TridiagonalEigen.ValuesQuad(d[0], e[0], 64, d[1], e[1], 64, d[2], e[2], 64, d[3], e[3], 64);
        var alone = (double[])d0.Clone();
        TridiagonalEigen.Values(alone, (double[])e0.Clone(), 64);
        for (int q = 0; q < 4; q++) Assert.That(d[q], Is.EqualTo(alone).AsCollection, $"slot {q}");
    }

    [Test]
    public void EigenvaluesQuad_RandomGrams_BitIdenticalToEigenvaluesAndMatchDsyevd()
    {
        int[][] sets = [[512, 36, 0, 9], [144, 144, 144, 144], [1, 2, 3, 0], [288, 5, 100, 0]];
        int seed = 40;
        foreach (var orders in sets)
        {
            var a = orders.Select(n => TestMatrices.Symmetric(n, seed++)).ToArray();
            var w = orders.Select(n => new double[n]).ToArray();
            var s = orders.Select(n => new double[GroupSpectra.ScratchLength(n)]).ToArray();
            var work = a.Select(m => (double[])m.Clone()).ToArray();
            GroupSpectra.EigenvaluesQuad(orders, work[0], w[0], s[0], work[1], w[1], s[1], work[2], w[2], s[2], work[3], w[3], s[3]);
            for (int q = 0; q < 4; q++)
            {
                int n = orders[q];
                var alone = new double[n];
                GroupSpectra.Eigenvalues((double[])a[q].Clone(), n, alone, new double[GroupSpectra.ScratchLength(n)]);
                Assert.That(w[q], Is.EqualTo(alone).AsCollection, $"slot {q} of ({string.Join(",", orders)})");
                if (n == 0) continue;
                var expect = Lapack.EigenValues(a[q], n);
                double tol = 4 * n * Eps * Math.Max(Math.Abs(expect[0]), Math.Abs(expect[^1]));
                for (int i = 0; i < n; i++) Assert.That(w[q][i], Is.EqualTo(expect[i]).Within(tol), $"slot {q} λ[{i}] of {n}");
            }
        }
    }
}
