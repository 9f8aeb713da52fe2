using Alds.Peers;

namespace Alds.Engine.Tests.Benchmarks;

/// <summary>The benchmark-only LAPACK peer and the svd benchmark's correctness figures (no timed assertions).</summary>
public class SvdBenchmarkTests
{
    private static void AssumeLapack()
    {
        Oracles.Requires.Lapack();
        if (!LapackPeer.IsAvailable(out var reason)) Oracles.Requires.Missing("liblapacke", reason!);
    }

    [Test]
    public void LapackPeer_ScaledPermutation_ClosedFormValues()
    {
        AssumeLapack();
        // A 3×5 matrix with one non-zero per row and column: its singular values are the magnitudes, sorted.
        var a = new double[15];
        a[0 * 5 + 3] = -2; a[1 * 5 + 0] = 7; a[2 * 5 + 4] = 0.5;
        var sigma = new double[3];
        LapackPeer.SingularValues(a, 3, 5, new double[15], sigma);
        Assert.That(sigma, Is.EqualTo(new[] { 7, 2, 0.5 }).Within(1e-14));
        Assert.That(a[3], Is.EqualTo(-2), "the input is not overwritten");
    }

    [Test]
    public void Run_SmallShapes_OursMatchesLapack()
    {
        AssumeLapack();
        var result = SvdBenchmark.Run([(20, 50), (33, 7)], repeat: 1, numpy: false);
        Assert.That(result.Rows, Has.Count.EqualTo(2));
        foreach (var row in result.Rows)
        {
            Assert.That(row.MaxRelDiff, Is.LessThan(1e-12), $"{row.M}×{row.N}");
            Assert.That(row.OursMs, Is.GreaterThan(0));
            Assert.That(row.LapackMs, Is.GreaterThan(0));
            Assert.That(row.NumpyMs, Is.Null);
        }
        Assert.That(result.NumpyNote, Does.Contain("not requested"));
    }

    [TestCase(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [TestCase(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    [TestCase(new[] { 7.0 }, 7.0)]
    [TestCase(new[] { 9.0, 9.0, 0.5, 100.0, 9.0 }, 9.0)]
    public void MedianOf_OddAndEven_MiddleValues(double[] times, double median) =>
        Assert.That(SvdBenchmark.MedianOf(times), Is.EqualTo(median));

    [Test]
    public void Median_WarmUpThenTimedRuns_ReturnsTheMedianNotMinNorMean()
    {
        // Each call busy-waits its planned time. Three 70 ms warm-ups pass the 200 ms warm-up floor, so exactly
        // three timed runs follow: 0, 40, 40 ms. Their median is at least 40 ms (a lower bound only: a loaded machine
        // can stretch a run, never shorten it); their minimum (~0) and mean (~27) are below it.
        double[] plan = [70, 70, 70, 0, 40, 40];
        int calls = 0;
        double median = SvdBenchmark.Median(3, () =>
        {
            double wait = plan[Math.Min(calls++, plan.Length - 1)];
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed.TotalMilliseconds < wait) { }
        });
        Assert.That(calls, Is.EqualTo(6), "three warm-up runs, then the three timed runs");
        Assert.That(median, Is.GreaterThanOrEqualTo(40));
    }

    [Test]
    public void MachineInfo_Current_NamesCpuAndCores()
    {
        var machine = MachineInfo.Current();
        Assert.That(machine.Cpu, Is.Not.Empty);
        Assert.That(machine.LogicalCores, Is.EqualTo(Environment.ProcessorCount));
        Assert.That(machine.ToString(), Does.Contain("logical cores").And.Contain("load average"));
    }
}
