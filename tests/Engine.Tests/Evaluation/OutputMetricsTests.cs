using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Evaluation;

public class OutputMetricsTests
{
    private static readonly float[] Y = [3f, -4f, 0f, 12f];

    [Test]
    public void RelativeError_ScaledCopy_IsTheScaleMinusOne() =>
        Assert.That(OutputMetrics.RelativeError(Y, Y.Select(v => 1.5f * v).ToArray()), Is.EqualTo(0.5).Within(1e-12));

    [Test]
    public void RelativeError_HandValue()
    {
        // ‖y‖ = 13; y − ŷ = (0, 0, 0, 5) → 5/13.
        Assert.That(OutputMetrics.RelativeError(Y, [3f, -4f, 0f, 7f]), Is.EqualTo(5.0 / 13).Within(1e-12));
    }

    [Test]
    public void RelativeError_ZeroReference_ZeroOrInfinity()
    {
        Assert.That(OutputMetrics.RelativeError([0f, 0f], [0f, 0f]), Is.EqualTo(0));
        Assert.That(OutputMetrics.RelativeError([0f, 0f], [0f, 1f]), Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void Cosine_ClosedForms()
    {
        Assert.That(OutputMetrics.Cosine(Y, Y.Select(v => 2f * v).ToArray()), Is.EqualTo(1).Within(1e-12));
        Assert.That(OutputMetrics.Cosine(Y, Y.Select(v => -v).ToArray()), Is.EqualTo(-1).Within(1e-12));
        Assert.That(OutputMetrics.Cosine([1f, 0f], [0f, 5f]), Is.EqualTo(0));
        Assert.That(OutputMetrics.Cosine([1f, 1f], [1f, 0f]), Is.EqualTo(Math.Sqrt(0.5)).Within(1e-12));
    }

    [Test]
    public void ArgMax_Ties_FirstIndex() => Assert.That(OutputMetrics.ArgMax([1f, 7f, 7f, -2f]), Is.EqualTo(1));

    [TestCase(new long[] { 1, 1000 }, true)]
    [TestCase(new long[] { 1, 2 }, true)]
    [TestCase(new long[] { 1, 1 }, false)]
    [TestCase(new long[] { 1, 512, 1, 1 }, false)]
    [TestCase(new long[] { 1000 }, false)]
    public void IsClassScores_OnlyTwoDimensionalBatchOne(long[] shape, bool expected) =>
        Assert.That(OutputMetrics.IsClassScores(shape), Is.EqualTo(expected));

    [Test]
    public void LatencyStats_OneToTen_NumpyPercentiles()
    {
        var stats = LatencyStats.FromSamples(new double[] { 10, 3, 1, 7, 2, 9, 4, 8, 6, 5 });
        Assert.That(stats.MedianMs, Is.EqualTo(5.5).Within(1e-12));
        Assert.That(stats.P90Ms, Is.EqualTo(9.1).Within(1e-12));
        Assert.That(stats.Runs, Is.EqualTo(10));
    }
}
