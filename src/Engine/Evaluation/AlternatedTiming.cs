using System.Diagnostics;

namespace Alds.Engine.Evaluation;

/// <summary>
/// Wall-clock timing of two models against each other: warm-up runs of both, then timed runs alternating between them
/// (and which goes first), so that drift and load hit both alike. How <c>alds eval</c> and the latency table time models.
/// </summary>
internal static class AlternatedTiming
{
    /// <summary>Milliseconds of every timed run of <paramref name="first"/> and of <paramref name="second"/>.</summary>
    public static (double[] First, double[] Second) Run(Action first, Action second, int warmup, int runs, CancellationToken cancel = default)
    {
        for (int i = 0; i < warmup; i++)
        {
            first();
            second();
        }
        var a = new double[runs];
        var b = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            cancel.ThrowIfCancellationRequested();
            if (i % 2 == 0) { a[i] = Time(first); b[i] = Time(second); }
            else { b[i] = Time(second); a[i] = Time(first); }
        }
        return (a, b);
    }

    private static double Time(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
