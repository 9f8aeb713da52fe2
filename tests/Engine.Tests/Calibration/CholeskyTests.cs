using Alds.Engine.Linalg;

namespace Alds.Engine.Tests.Calibration;

public class CholeskyTests
{
    private static double[] Spd(int n, int seed)
    {
        var a = CalibrationMath.Random(n * n, seed);
        var s = CalibrationMath.Multiply(a, CalibrationMath.Transpose(a, n, n), n, n, n);
        for (int i = 0; i < n; i++) s[i * n + i] += 0.1;
        return s;
    }

    // Precision contract: backward stable, ‖A − L Lᵀ‖_max ≤ ~n·eps·‖A‖_max; asserted at 1e-12 relative.
    [TestCase(1)] [TestCase(5)] [TestCase(127)] [TestCase(128)] [TestCase(129)] [TestCase(300)]
    public void TryFactor_SpdMatrix_LTimesLTransposeIsA(int n)
    {
        var a = Spd(n, n);
        var l = (double[])a.Clone();
        Assert.That(Cholesky.TryFactor(l, n, 2), Is.True);
        var back = CalibrationMath.Multiply(l, CalibrationMath.Transpose(l, n, n), n, n, n);
        double scale = a.Max(Math.Abs);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (j > i) Assert.That(l[i * n + j], Is.EqualTo(0.0), "upper triangle zeroed");
                Assert.That(back[i * n + j], Is.EqualTo(a[i * n + j]).Within(1e-12 * scale));
            }
    }

    [Test]
    public void TryFactor_OneAndTwoThreads_BitIdentical()
    {
        var a = Spd(300, 3);
        var one = (double[])a.Clone();
        var two = (double[])a.Clone();
        Cholesky.TryFactor(one, 300, 1);
        Cholesky.TryFactor(two, 300, 2);
        Assert.That(two, Is.EqualTo(one));
    }

    [Test]
    public void TryFactor_Indefinite_ReturnsFalse()
    {
        var a = Spd(200, 4);
        a[150 * 200 + 150] = -1;
        Assert.That(Cholesky.TryFactor(a, 200, 2), Is.False);
    }

    [TestCase(1, 1)] [TestCase(7, 3)] [TestCase(200, 17)]
    public void SolveRightLower_SolvesXLEqualsB(int n, int rows)
    {
        var l = Spd(n, 5);
        Cholesky.TryFactor(l, n, 2);
        var b = CalibrationMath.Random(rows * n, 6);
        var x = (double[])b.Clone();
        Cholesky.SolveRightLower(x, rows, n, l, 2);
        var back = CalibrationMath.Multiply(x, l, rows, n, n);
        for (int i = 0; i < b.Length; i++) Assert.That(back[i], Is.EqualTo(b[i]).Within(1e-10));
    }
}
