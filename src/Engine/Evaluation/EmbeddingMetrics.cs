namespace Alds.Engine.Evaluation;

/// <summary>Sentence embeddings from token outputs, and comparisons between two sets of them. Float64 accumulation.</summary>
internal static class EmbeddingMetrics
{
    /// <summary>Mean of the first <paramref name="tokens"/> rows of a row-major <c>[sequence, hidden]</c> block (the unpadded tokens).</summary>
    public static double[] MeanPool(ReadOnlySpan<float> states, int tokens, int hidden)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        if (states.Length < (long)tokens * hidden) throw new ArgumentException($"{states.Length} values hold fewer than {tokens} rows of {hidden}");
        var mean = new double[hidden];
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < hidden; h++) mean[h] += states[t * hidden + h];
        for (int h = 0; h < hidden; h++) mean[h] /= tokens;
        return mean;
    }

    /// <summary>⟨a, b⟩ / (‖a‖ ‖b‖), clamped to [−1, 1]; 1 when both are zero, 0 when exactly one is.</summary>
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        if (na == 0 || nb == 0) return na == nb ? 1 : 0;
        return Math.Clamp(dot / (Math.Sqrt(na) * Math.Sqrt(nb)), -1, 1);
    }

    /// <summary>For each embedding, the index of its nearest other embedding by cosine (the lowest index on ties).</summary>
    public static int[] NearestNeighbours(IReadOnlyList<double[]> embeddings)
    {
        int n = embeddings.Count;
        if (n < 2) throw new ArgumentException("nearest neighbours need at least two embeddings", nameof(embeddings));
        var nearest = new int[n];
        for (int i = 0; i < n; i++)
        {
            double best = double.NegativeInfinity;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double c = Cosine(embeddings[i], embeddings[j]);
                if (c > best) (best, nearest[i]) = (c, j);
            }
        }
        return nearest;
    }

    /// <summary>Fraction of items whose nearest neighbour is the same in both sets.</summary>
    public static double NearestNeighbourAgreement(IReadOnlyList<double[]> original, IReadOnlyList<double[]> compressed)
    {
        if (original.Count != compressed.Count) throw new ArgumentException($"counts differ: {original.Count} vs {compressed.Count}");
        var a = NearestNeighbours(original);
        var b = NearestNeighbours(compressed);
        return (double)a.Zip(b).Count(p => p.First == p.Second) / a.Length;
    }
}
