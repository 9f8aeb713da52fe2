namespace Alds.Engine.Evaluation;

/// <summary>
/// Comparisons of a reference output y with an approximation ŷ, both flattened (all outputs concatenated).
/// Precision: float32 inputs, float64 accumulation.
/// </summary>
internal static class OutputMetrics
{
    /// <summary>‖y − ŷ‖₂ / ‖y‖₂; 0 when both are zero, +∞ when only y is zero.</summary>
    public static double RelativeError(ReadOnlySpan<float> y, ReadOnlySpan<float> yHat)
    {
        CheckLengths(y, yHat);
        double diff = 0, norm = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double d = (double)y[i] - yHat[i];
            diff += d * d;
            norm += (double)y[i] * y[i];
        }
        if (norm == 0) return diff == 0 ? 0 : double.PositiveInfinity;
        return Math.Sqrt(diff / norm);
    }

    /// <summary>⟨y, ŷ⟩ / (‖y‖ ‖ŷ‖), clamped to [−1, 1]; 1 when both are zero, 0 when exactly one is.</summary>
    public static double Cosine(ReadOnlySpan<float> y, ReadOnlySpan<float> yHat)
    {
        CheckLengths(y, yHat);
        double dot = 0, a = 0, b = 0;
        for (int i = 0; i < y.Length; i++)
        {
            dot += (double)y[i] * yHat[i];
            a += (double)y[i] * y[i];
            b += (double)yHat[i] * yHat[i];
        }
        if (a == 0 || b == 0) return a == b ? 1 : 0;
        return Math.Clamp(dot / (Math.Sqrt(a) * Math.Sqrt(b)), -1, 1);
    }

    /// <summary>Index of the largest value, the first one on ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        if (scores.IsEmpty) throw new ArgumentException("no scores", nameof(scores));
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>
    /// Whether an output of this shape is a class-score vector: exactly 2-D [1, C] with C ≥ 2.
    /// Feature maps such as ResNet18's [1, 512, 1, 1] are not: their arg-max means nothing.
    /// </summary>
    public static bool IsClassScores(ReadOnlySpan<long> shape) => shape.Length == 2 && shape[0] == 1 && shape[1] >= 2;

    private static void CheckLengths(ReadOnlySpan<float> y, ReadOnlySpan<float> yHat)
    {
        if (y.Length != yHat.Length) throw new ArgumentException($"lengths differ: {y.Length} vs {yHat.Length}");
    }
}
