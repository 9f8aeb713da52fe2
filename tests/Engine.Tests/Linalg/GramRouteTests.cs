using Alds.Engine.Linalg;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Linalg;

/// <summary>
/// The large-layer factorisation route (issue 12): inverse-iteration eigenvectors, the blocked back-transformation,
/// the packed GEMM and the Gram-route truncated SVD, against LAPACK at odd orders above the fused kernel's range.
/// </summary>
public class GramRouteTests
{
    [TestCase(513, 1)]
    [TestCase(1024, 2)]
    [TestCase(2049, 3)]
    public void TridiagonalVectors_RandomTridiagonal_SmallResidualsAndOrthonormal(int n, int seed)
    {
        var rng = new Random(seed);
        var d = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var e = Enumerable.Range(0, n - 1).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var lambda = Lapack.TridiagonalEigenValues(d, e).Reverse().Take(n / 3).ToArray();
        AssertEigenvectors(d, e, lambda);
    }

    [Test]
    public void TridiagonalVectors_ClustersAndSplits_OrthonormalWithinClusters()
    {
        // Wilkinson W21+ glued to itself with a tiny coupling (pairs equal to ~1e-14) and a block of exact zeros.
        int w = 21, n = 3 * w;
        var d = new double[n];
        var e = new double[n - 1];
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < w; i++) { d[b * w + i] = Math.Abs(i - 10); if (i < w - 1) e[b * w + i] = 1; }
        e[w - 1] = 1e-14;
        // The third block is zero: a 21-fold zero eigenvalue.
        var lambda = Lapack.TridiagonalEigenValues(d, e).Reverse().ToArray();
        AssertEigenvectors(d, e, lambda);
    }

    private static void AssertEigenvectors(double[] d, double[] e, double[] lambda)
    {
        int n = d.Length, count = lambda.Length;
        var z = new double[count * n];
        TridiagonalVectors.Compute(d, e, n, lambda, z);
        double norm = Enumerable.Range(0, n).Max(i => Math.Abs(d[i]) + (i > 0 ? Math.Abs(e[i - 1]) : 0) + (i < n - 1 ? Math.Abs(e[i]) : 0));
        for (int r = 0; r < count; r++)
        {
            double worst = 0;
            for (int i = 0; i < n; i++)
            {
                double tz = d[i] * z[r * n + i] + (i > 0 ? e[i - 1] * z[r * n + i - 1] : 0) + (i < n - 1 ? e[i] * z[r * n + i + 1] : 0);
                worst = Math.Max(worst, Math.Abs(tz - lambda[r] * z[r * n + i]));
            }
            Assert.That(worst, Is.LessThanOrEqualTo(1e-12 * norm), $"residual of vector {r}");
        }
        Assert.That(Orthogonality(z, count, n), Is.LessThanOrEqualTo(1e-10));
    }

    // max |Q Qᵀ − I| over the rows of q (count × n).
    private static double Orthogonality(double[] q, int count, int n)
    {
        double worst = 0;
        for (int a = 0; a < count; a++)
            for (int b = 0; b <= a; b++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[a * n + i] * q[b * n + i];
                worst = Math.Max(worst, Math.Abs(dot - (a == b ? 1 : 0)));
            }
        return worst;
    }

    [TestCase(513, 700, 200, false)]
    [TestCase(1100, 1024, 300, false)]
    [TestCase(640, 2049, 100, false)]
    [TestCase(700, 513, 513, true)]
    public void TruncatedSvd_LargeOrders_MatchesLapack(int m, int n, int j, bool rankDeficient)
    {
        double[] g;
        if (!rankDeficient) g = TestMatrices.Gaussian(m * n, m + n);
        else
        {
            // Rank 300 of 513: a product of two Gaussian factors.
            int r = 300;
            var a = TestMatrices.Gaussian(m * r, 5);
            var b = TestMatrices.Gaussian(r * n, 6);
            g = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int t = 0; t < r; t++)
                    for (int c = 0; c < n; c++) g[i * n + c] += a[i * r + t] * b[t * n + c];
        }
        var svd = TruncatedSvd.Compute(g, m, n, n, j, 2);
        var sigma = Lapack.SingularValues(g, m, n);
        double floor = Math.Sqrt(Math.Min(m, n) * 2.22e-16) * sigma[0];
        for (int r = 0; r < j; r++)
        {
            if (sigma[r] > 10 * floor) Assert.That(svd.S[r], Is.EqualTo(sigma[r]).Within(1e-10 * sigma[0]), $"σ[{r}]");
            else Assert.That(svd.S[r], Is.LessThanOrEqualTo(10 * floor), $"σ[{r}] below the floor");
        }
        Assert.That(svd.NextSingularValue, Is.EqualTo(j < sigma.Length ? sigma[j] : 0).Within(1e-9 * sigma[0] + (rankDeficient ? 10 * floor : 0)));
        // U orthonormal; Vᵀ rows unit and orthogonal to the stated eps·σ₁²/(σ_r σ_t).
        var ut = new double[j * m];
        for (int i = 0; i < m; i++) for (int r = 0; r < j; r++) ut[r * m + i] = svd.U[i * j + r];
        Assert.That(Orthogonality(ut, j, m), Is.LessThanOrEqualTo(1e-10), "UᵀU");
        for (int a = 0; a < j; a++)
            for (int b = 0; b < a; b += 7)
            {
                if (svd.S[a] == 0 || svd.S[b] == 0) continue;
                double dot = 0;
                for (int c = 0; c < n; c++) dot += svd.Vt[a * n + c] * svd.Vt[b * n + c];
                Assert.That(Math.Abs(dot), Is.LessThanOrEqualTo(1e-12 * sigma[0] * sigma[0] / (svd.S[a] * svd.S[b])), $"v{a}·v{b}");
            }
        // Residual optimal: ‖G − U S Vᵀ‖_F² = Σ_{r>j} σ_r².
        double optimal = Math.Sqrt(sigma.Skip(j).Sum(x => x * x)), fro = Math.Sqrt(g.Sum(x => x * x));
        double residual = 0;
        for (int i = 0; i < m; i++)
            for (int c = 0; c < n; c++)
            {
                double x = g[i * n + c];
                for (int r = 0; r < j; r++) x -= svd.U[i * j + r] * svd.S[r] * svd.Vt[r * n + c];
                residual += x * x;
            }
        Assert.That(Math.Sqrt(residual), Is.EqualTo(optimal).Within(1e-9 * fro));
    }

    [Test]
    public void TruncatedSvd_OneAndTwoThreads_BitIdentical()
    {
        int m = 900, n = 1700, j = 250;
        var g = TestMatrices.Gaussian(m * n, 77).Select(x => (float)x).ToArray();
        var one = TruncatedSvd.Compute(g, m, n, n, j, 1);
        var two = TruncatedSvd.Compute(g, m, n, n, j, 2);
        Assert.That(two.S, Is.EqualTo(one.S));
        Assert.That(two.U, Is.EqualTo(one.U));
        Assert.That(two.Vt, Is.EqualTo(one.Vt));
        var tall = TruncatedSvd.Compute(g, n, m, m, j, 1); // the same numbers read as a 1700×900 matrix (column side)
        var tall2 = TruncatedSvd.Compute(g, n, m, m, j, 2);
        Assert.That(tall2.U, Is.EqualTo(tall.U));
        Assert.That(tall2.Vt, Is.EqualTo(tall.Vt));
    }

    [Test]
    public void TruncatedSvd_VggClassifierShapedGroup_RebuildsToTheKnownResidual()
    {
        // 4096×25088 (VGG's first classifier layer, one group): rank 32 plus small noise, factorised at rank 32.
        int m = 4096, n = 25088, r = 32;
        var rng = new Random(11);
        var a = new float[m * r];
        var b = new float[r * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() - 0.5);
        var g = new float[(long)m * n];
        Parallel.For(0, m, i =>
        {
            var row = g.AsSpan(i * n, n);
            for (int t = 0; t < r; t++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.AsSpan(t * n, n), a[i * r + t], row, row);
            var noise = new Random(i);
            for (int c = 0; c < n; c++) row[c] += (float)((noise.NextDouble() - 0.5) * 1e-3);
        });
        var svd = TruncatedSvd.Compute(g, m, n, n, r, -1);
        // Rebuild: the projection's residual satisfies ‖G‖_F² − ‖U S Vᵀ‖_F² = ‖G − U S Vᵀ‖_F², checked directly.
        double total = 0, residual = 0;
        var errors = new double[m];
        Parallel.For(0, m, i =>
        {
            double local = 0;
            for (int c = 0; c < n; c++)
            {
                double x = g[(long)i * n + c];
                for (int q = 0; q < r; q++) x -= svd.U[i * r + q] * svd.S[q] * svd.Vt[q * n + c];
                local += x * x;
            }
            errors[i] = local;
        });
        residual = errors.Sum();
        foreach (var x in g) total += (double)x * x;
        double noiseEnergy = (double)m * n * 1e-6 / 12; // uniform noise of width 1e-3
        Assert.That(residual, Is.EqualTo(noiseEnergy).Within(0.02 * noiseEnergy), "residual is the noise left after rank 32");
        Assert.That(total - svd.S.Sum(s => s * s), Is.EqualTo(residual).Within(1e-6 * total));
        Assert.That(svd.NextSingularValue, Is.LessThan(1e-2 * svd.S[r - 1]));
    }

    [Test]
    public unsafe void PackedGemm_TransposedAndFloatOperands_MatchNaiveProduct()
    {
        int p = 37, k = 401, q = 53;
        var a = TestMatrices.Gaussian(p * k, 1);
        var bf = TestMatrices.Gaussian(q * k, 2).Select(x => (float)x).ToArray(); // stored q×k, used as its transpose
        var c = new double[p * q];
        fixed (double* ap = a, cp = c)
        fixed (float* bp = bf)
            PackedGemm.Multiply(MatrixView.Of(ap, p, k, k), MatrixView.Of(bp, q, k, k, transposed: true), cp, q, 2);
        for (int i = 0; i < p; i++)
            for (int j = 0; j < q; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) s += a[i * k + t] * bf[j * k + t];
                Assert.That(c[i * q + j], Is.EqualTo(s).Within(1e-12 * k));
            }
    }
}
