namespace Alds.Engine.Calibration;

/// <summary>Views of a layer's second moment <c>C</c> (n×n row-major, lower triangle valid).</summary>
internal static class MomentBlocks
{
    /// <summary>Diagonal block <c>C_ii</c> of channel group <paramref name="group"/> of <paramref name="groups"/> (lower triangle).</summary>
    public static double[] Diagonal(ReadOnlySpan<double> c, int order, int groups, int group)
    {
        int n = order / groups, o = group * n;
        var block = new double[(long)n * n];
        for (int i = 0; i < n; i++) c.Slice((o + i) * order + o, i + 1).CopyTo(block.AsSpan(i * n, i + 1));
        return block;
    }

    /// <summary>mean(diag C).</summary>
    public static double MeanDiagonal(ReadOnlySpan<double> c, int order)
    {
        double s = 0;
        for (int i = 0; i < order; i++) s += c[i * order + i];
        return order == 0 ? 0 : s / order;
    }

    /// <summary><c>C + δ·I</c> with both triangles filled, <c>δ = λ·mean(diag C)</c>.</summary>
    public static double[] DampedSymmetric(ReadOnlySpan<double> c, int order, double lambda)
    {
        double mean = MeanDiagonal(c, order);
        double delta = lambda * (mean > 0 ? mean : 1);
        var full = new double[(long)order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++) full[(long)i * order + j] = full[(long)j * order + i] = c[i * order + j];
            full[(long)i * order + i] = c[i * order + i] + delta;
        }
        return full;
    }
}
