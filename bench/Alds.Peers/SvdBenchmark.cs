using Alds.Engine;
using System.Diagnostics;

namespace Alds.Peers;

/// <summary>One shape of <c>alds bench svd</c>: median milliseconds of each side, and our deviation from LAPACK.</summary>
public sealed record SvdBenchRow(int M, int N, double OursMs, double LapackMs, double? NumpyMs, double MaxRelDiff)
{
    /// <summary>LAPACK time over ours: above 1 means we are faster.</summary>
    public double SpeedupVsLapack => LapackMs / OursMs;

    public double? SpeedupVsNumpy => NumpyMs / OursMs;
}

/// <summary>The result of <c>alds bench svd</c>; <see cref="NumpyNote"/> says why numpy is missing, if it is.</summary>
public sealed record SvdBenchResult(IReadOnlyList<SvdBenchRow> Rows, int Repeat, string? NumpyNote);

/// <summary>
/// All singular values of seeded random float64 matrices: ours (<see cref="Alds.Engine.Linalg.SingularValues"/>, Gram + eigen)
/// against LAPACK <c>dgesdd</c> and, optionally, <c>numpy.linalg.svd</c>, all on one thread, in the same run.
/// </summary>
public static class SvdBenchmark
{
    /// <summary>Channel-group shapes of ResNet18 (64×576 … 512×4608) and one uneven shape.</summary>
    public static IReadOnlyList<(int M, int N)> DefaultShapes { get; } = [(64, 576), (256, 2304), (512, 4608), (300, 2700)];

    public static SvdBenchResult Run(IReadOnlyList<(int M, int N)> shapes, int repeat, bool numpy, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        if (!LapackPeer.IsAvailable(out var reason)) throw new MissingComponentException(reason!);
        LapackPeer.SetThreads(1);
        var rows = new List<SvdBenchRow>();
        foreach (var (m, n) in shapes)
        {
            cancel.ThrowIfCancellationRequested();
            var rng = new Random(42);
            var a = new double[m * n];
            for (int i = 0; i < a.Length; i++) a[i] = rng.NextDouble() - 0.5;
            int p = Math.Min(m, n);
            double[] ours = new double[p], lapack = new double[p], work = new double[m * n];
            var (oursMs, lapackMs) = Interleaved(repeat,
                () => Alds.Engine.Linalg.SingularValues.Compute(a, m, n, n, ours), () => LapackPeer.SingularValues(a, m, n, work, lapack));
            double diff = 0;
            for (int i = 0; i < p; i++) diff = Math.Max(diff, Math.Abs(ours[i] - lapack[i]));
            rows.Add(new SvdBenchRow(m, n, oursMs, lapackMs, null, lapack[0] > 0 ? diff / lapack[0] : diff));
        }
        string? note = numpy ? null : "numpy peer not requested";
        if (numpy && PythonPeer.Find("svd_numpy.py", out note) is { } peer)
        {
            try
            {
                using var doc = peer.Run([repeat.ToString(System.Globalization.CultureInfo.InvariantCulture), .. shapes.Select(s => $"{s.M}x{s.N}")],
                    new Dictionary<string, string> { ["OPENBLAS_NUM_THREADS"] = "1", ["OMP_NUM_THREADS"] = "1" }, cancel);
                var times = doc.RootElement.GetProperty("shapes").EnumerateArray().Select(e => e.GetProperty("ms").GetDouble()).ToArray();
                for (int i = 0; i < rows.Count && i < times.Length; i++) rows[i] = rows[i] with { NumpyMs = times[i] };
                note = $"numpy {doc.RootElement.GetProperty("numpy").GetString()}";
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or System.Text.Json.JsonException or KeyNotFoundException)
            {
                note = $"numpy peer failed: {e.Message}";
            }
        }
        return new SvdBenchResult(rows, repeat, note);
    }

    /// <summary>
    /// Median milliseconds of <paramref name="first"/> and <paramref name="second"/>, timed alternately so that both
    /// see the same background load; warm-up as in <see cref="Median"/>.
    /// </summary>
    public static (double First, double Second) Interleaved(int repeat, Action first, Action second)
    {
        Median(1, first);
        Median(1, second);
        var a = new double[repeat];
        var b = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            first();
            a[r] = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            second();
            b[r] = clock.Elapsed.TotalMilliseconds;
        }
        return (MedianOf(a), MedianOf(b));
    }

    internal static double MedianOf(double[] times)
    {
        Array.Sort(times);
        int n = times.Length;
        return n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    }

    /// <summary>
    /// Median wall time in milliseconds of <paramref name="repeat"/> runs, after warm-up runs (at least 3 and 200 ms)
    /// so that the tiered JIT has reached optimised code.
    /// </summary>
    public static double Median(int repeat, Action action)
    {
        var warm = Stopwatch.StartNew();
        for (int w = 0; w < 3 || warm.ElapsedMilliseconds < 200; w++) action();
        var times = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[r] = clock.Elapsed.TotalMilliseconds;
        }
        return MedianOf(times);
    }
}
