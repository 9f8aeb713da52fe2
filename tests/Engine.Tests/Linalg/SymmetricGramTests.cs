using Alds.Engine.Linalg;

namespace Alds.Engine.Tests.Linalg;

public class SymmetricGramTests
{
    // Reference: plain float64 dot products. Tolerance: 1e-14·(‖a_i‖‖a_j‖ + tiny) per entry (fma and blocking reorder sums).
    private static double[] Reference(double[] a, int m, int n, int lda, bool transpose)
    {
        int p = transpose ? n : m, depth = transpose ? m : n;
        var c = new double[p * p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int t = 0; t < depth; t++)
                    s += transpose ? a[t * lda + i] * a[t * lda + j] : a[i * lda + t] * a[j * lda + t];
                c[i * p + j] = s;
            }
        return c;
    }

    private static void AssertLowerClose(double[] expect, double[] got, int p, double tolScale, string what)
    {
        for (int i = 0; i < p; i++)
            for (int j = 0; j <= i; j++)
            {
                double tol = 1e-14 * tolScale * Math.Sqrt(Math.Abs(expect[i * p + i] * expect[j * p + j])) + 1e-300;
                Assert.That(got[i * p + j], Is.EqualTo(expect[i * p + j]).Within(tol), $"{what} [{i},{j}]");
            }
    }

    [Test]
    public void AAtAndAtA_EveryLength0To70OddStrides_MatchScalarReference()
    {
        foreach (int width in TestMatrices.Widths())
            TestMatrices.AtWidth(width, () =>
            {
                for (int len = 0; len <= 70; len++)
                {
                    int m = 1 + len % 9, lda = len + 1 + 2 * (len % 3); // odd and even strides
                    var a = TestMatrices.Gaussian(Math.Max(m * lda, 1), 1000 + len);
                    var c = new double[m * m];
                    SymmetricGram.AAt(a, m, len, lda, c);
                    AssertLowerClose(Reference(a, m, len, lda, false), c, m, 1, $"AAt w{width} len {len}");

                    int rows = 1 + len % 5;
                    var b = TestMatrices.Gaussian(rows * (len + 3), 2000 + len);
                    var d = new double[len * len];
                    SymmetricGram.AtA(b, rows, len, len + 3, d);
                    AssertLowerClose(Reference(b, rows, len, len + 3, true), d, len, 1, $"AtA w{width} len {len}");
                }
            });
    }

    [Test]
    public void AAt_LargeDepthSeveralPanels_MatchesScalarReference()
    {
        int m = 37, n = 1000, lda = 1003;
        var a = TestMatrices.Gaussian(m * lda, 5);
        var c = new double[m * m];
        SymmetricGram.AAt(a, m, n, lda, c);
        AssertLowerClose(Reference(a, m, n, lda, false), c, m, 1, "AAt");
        var d = new double[n * n];
        SymmetricGram.AtA(a, m, n, lda, d);
        AssertLowerClose(Reference(a, m, n, lda, true), d, n, 1, "AtA");
    }

    [Test]
    public void AddAAt_SumOfColumnBlocks_EqualsWholeGram()
    {
        int m = 13, n = 90;
        var a = TestMatrices.Gaussian(m * n, 7);
        var whole = new double[m * m];
        SymmetricGram.AAt(a, m, n, n, whole);
        var sum = new double[m * m];
        SymmetricGram.AAt(a.AsSpan(0), m, 40, n, sum);
        SymmetricGram.AddAAt(a.AsSpan(40), m, 50, n, sum);
        AssertLowerClose(whole, sum, m, 1, "AddAAt");
        var sumT = new double[n * n];
        SymmetricGram.AtA(a, 6, n, n, sumT);
        SymmetricGram.AddAtA(a.AsSpan(6 * n), 7, n, n, sumT);
        AssertLowerClose(Reference(a, m, n, n, true), sumT, n, 1, "AddAtA");
    }

    [Test]
    public void AAt_LeavesStrictUpperTriangleUntouched()
    {
        int m = 9, n = 11;
        var a = TestMatrices.Gaussian(m * n, 8);
        var c = Enumerable.Repeat(-7.0, m * m).ToArray();
        SymmetricGram.AAt(a, m, n, n, c);
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
                Assert.That(c[i * m + j], Is.EqualTo(-7.0));
        SymmetricGram.MirrorLower(c, m);
        Assert.That(c[1 * m + 5], Is.EqualTo(c[5 * m + 1]));
    }

    [Test]
    public void AAtFloat_WidenedExactly_MatchesDoubleGram()
    {
        int m = 17, n = 301;
        var a = TestMatrices.Gaussian(m * n, 9).Select(x => (float)x).ToArray();
        var ad = a.Select(x => (double)x).ToArray();
        var c = new double[m * m]; var cd = new double[m * m];
        SymmetricGram.AAt(a, m, n, n, c);
        SymmetricGram.AAt(ad, m, n, n, cd);
        Assert.That(c, Is.EqualTo(cd));
        var t = new double[n * n]; var td = new double[n * n];
        SymmetricGram.AtA(a, m, n, n, t);
        SymmetricGram.AtA(ad, m, n, n, td);
        Assert.That(t, Is.EqualTo(td));
    }

    // Orders around the 8-row and 24-column register tiles, depths around the 160-index panels; 1×N and N×1 included.
    private static readonly (int M, int N)[] EdgeShapes =
    [
        (1, 1), (1, 7), (1, 200), (200, 1), (7, 1), (2, 3), (7, 9), (8, 24), (9, 25), (23, 161),
        (24, 160), (25, 159), (31, 17), (47, 321), (49, 33), (65, 100), (100, 65),
    ];

    [Test]
    public void AAtAndAtA_EdgeShapesEveryWidth_MatchScalarReference()
    {
        foreach (int width in TestMatrices.Widths())
            TestMatrices.AtWidth(width, () =>
            {
                foreach (var (m, n) in EdgeShapes)
                {
                    int lda = n + 3;
                    var a = TestMatrices.Gaussian(m * lda, 31 * m + n);
                    var c = new double[m * m];
                    SymmetricGram.AAt(a, m, n, lda, c);
                    AssertLowerClose(Reference(a, m, n, lda, false), c, m, 1, $"AAt w{width} {m}x{n}");
                    var d = new double[n * n];
                    SymmetricGram.AtA(a, m, n, lda, d);
                    AssertLowerClose(Reference(a, m, n, lda, true), d, n, 1, $"AtA w{width} {m}x{n}");
                }
            });
    }

    [Test]
    public void AAtAndAtA_FloatEdgeShapesEveryWidth_EqualWidenedDoubleGram()
    {
        foreach (int width in TestMatrices.Widths())
            TestMatrices.AtWidth(width, () =>
            {
                foreach (var (m, n) in EdgeShapes)
                {
                    var a = TestMatrices.Gaussian(m * n, 7 * m + n).Select(x => (float)x).ToArray();
                    var ad = a.Select(x => (double)x).ToArray();
                    var c = new double[m * m]; var cd = new double[m * m];
                    SymmetricGram.AAt(a, m, n, n, c);
                    SymmetricGram.AAt(ad, m, n, n, cd);
                    Assert.That(c, Is.EqualTo(cd), $"AAt w{width} {m}x{n}");
                    var t = new double[n * n]; var td = new double[n * n];
                    SymmetricGram.AtA(a, m, n, n, t);
                    SymmetricGram.AtA(ad, m, n, n, td);
                    Assert.That(t, Is.EqualTo(td), $"AtA w{width} {m}x{n}");
                }
            });
    }

    [Test]
    public void AAt_SweepShapeStridedView_EigenvaluesMatchLapackSingularValuesSquared()
    {
        Oracles.Requires.Lapack();
        // A 70×333 column block of a 70×999 matrix (row stride 999), as the sweep's groups are.
        int m = 70, n = 333, total = 999;
        var f = TestMatrices.Gaussian(m * total, 12);
        var block = new double[m * n];
        for (int i = 0; i < m; i++) f.AsSpan(i * total + n, n).CopyTo(block.AsSpan(i * n, n));
        var c = new double[m * m];
        SymmetricGram.AAt(f.AsSpan(n), m, n, total, c);
        SymmetricGram.MirrorLower(c, m);
        var eig = Oracles.Lapack.EigenValues(c, m);
        var sv = Oracles.Lapack.SingularValues(block, m, n);
        for (int i = 0; i < m; i++)
            Assert.That(eig[i], Is.EqualTo(sv[i] * sv[i]).Within(1e-11 * sv[0] * sv[0]), $"λ{i}");
    }

    [Test]
    public void AAtAndAtA_ConcurrentCalls_BitIdenticalToSequential()
    {
        int m = 96, n = 611;
        var a = TestMatrices.Gaussian(m * n, 21);
        var row = new double[m * m]; var col = new double[n * n];
        SymmetricGram.AAt(a, m, n, n, row);
        SymmetricGram.AtA(a, m, n, n, col);
        var rows = new double[4][]; var cols = new double[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            rows[i] = new double[m * m]; cols[i] = new double[n * n];
            SymmetricGram.AAt(a, m, n, n, rows[i]);
            SymmetricGram.AtA(a, m, n, n, cols[i]);
        });
        for (int i = 0; i < 4; i++)
        {
            Assert.That(rows[i], Is.EqualTo(row));
            Assert.That(cols[i], Is.EqualTo(col));
        }
    }

    [Test]
    public void AAt_ViewTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => SymmetricGram.AAt(new double[10], 3, 4, 4, new double[9]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricGram.AAt(new double[12], 3, 4, 3, new double[9]));
        Assert.Throws<ArgumentException>(() => SymmetricGram.AAt(new double[12], 3, 4, 4, new double[8]));
    }
}
