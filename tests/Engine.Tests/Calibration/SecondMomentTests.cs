using Alds.Engine.Calibration;

namespace Alds.Engine.Tests.Calibration;

public class SecondMomentTests
{
    // Batches of 512 vectors cross chunk boundaries and one chunk is larger than a batch; the oracle is a plain double loop.
    // Precision: float32 inputs widened exactly, float64 sums: 1e-12 relative.
    [Test]
    public void AddColumnsAndRows_AnyChunking_IsMeanOuterProduct([Values(1, 2)] int threads)
    {
        int n = 13;
        int[] chunks = [37, 600, 1, 300, 37, 512];
        var moment = new SecondMoment(n, threads);
        var expected = new double[n * n];
        int seed = 0, total = 0;
        foreach (var count in chunks)
        {
            var x = CalibrationMath.Random(n * count, ++seed).Select(v => (float)v).ToArray();
            bool rows = seed % 2 == 0;
            if (rows) moment.AddRows(x, count); else moment.AddColumns(x, count);
            for (int t = 0; t < count; t++)
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double a = rows ? x[t * n + i] : x[i * count + t], b = rows ? x[t * n + j] : x[j * count + t];
                        expected[i * n + j] += a * b;
                    }
            total += count;
        }
        Assert.That(moment.Count, Is.EqualTo(total));
        var c = moment.Moment();
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                Assert.That(c[i * n + j], Is.EqualTo(expected[i * n + j] / total).Within(1e-12 * Math.Abs(expected[i * n + i] / total) + 1e-15));
    }
}
