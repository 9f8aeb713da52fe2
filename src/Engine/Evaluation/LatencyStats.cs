namespace Alds.Engine.Evaluation;

/// <summary>Wall-clock latency of batch-1 CPU inference, in milliseconds, over <see cref="Runs"/> timed runs after warm-up.</summary>
public sealed record LatencyStats(double MedianMs, double P90Ms, int Runs)
{
    /// <summary>Median and 90th percentile, both by linear interpolation between order statistics (numpy's default).</summary>
    internal static LatencyStats FromSamples(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0) throw new ArgumentException("no samples", nameof(milliseconds));
        var sorted = milliseconds.Order().ToArray();
        return new LatencyStats(Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted.Length);
    }

    internal static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
