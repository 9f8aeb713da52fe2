using Alds.Engine.Linalg;

namespace Alds.Engine.Calibration;

/// <summary>
/// The uncentred second moment <c>C = E[x xᵀ]</c> of a layer's input vectors (im2col patches in fold order, or feature
/// vectors), accumulated in float64 from float32 activations by the SIMD Gram kernel (<see cref="SymmetricGram"/>).
/// Only the lower triangle is kept.
/// </summary>
public sealed class SecondMoment
{
    private readonly double[] _sum;

    public SecondMoment(int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order);
        Order = order;
        _sum = new double[(long)order * order];
    }

    private SecondMoment(int order, double[] sum, long count) { Order = order; _sum = sum; Count = count; }

    /// <summary>Length n of an input vector.</summary>
    public int Order { get; }

    /// <summary>Input vectors accumulated (patches or tokens).</summary>
    public long Count { get; private set; }

    /// <summary>Adds the <paramref name="count"/> vectors stored as the columns of the n×count row-major <paramref name="x"/>.</summary>
    public void AddColumns(ReadOnlySpan<float> x, int count)
    {
        if (count == 0) return;
        SymmetricGram.AddAAt(x[..(Order * count)], Order, count, count, _sum);
        Count += count;
    }

    /// <summary>Adds the <paramref name="count"/> vectors stored as the rows of the count×n row-major <paramref name="x"/>.</summary>
    public void AddRows(ReadOnlySpan<float> x, int count)
    {
        if (count == 0) return;
        SymmetricGram.AddAtA(x[..(Order * count)], count, Order, Order, _sum);
        Count += count;
    }

    /// <summary><c>C</c> (n×n row-major, lower triangle valid; upper triangle zero): the sum over the count.</summary>
    public double[] Moment()
    {
        var c = new double[_sum.LongLength];
        if (Count == 0) return c;
        double scale = 1.0 / Count;
        for (int i = 0; i < Order; i++)
            for (int j = 0; j <= i; j++) c[(long)i * Order + j] = _sum[(long)i * Order + j] * scale;
        return c;
    }

    /// <summary>A moment known already (tests, the cache): <paramref name="moment"/> is C (lower triangle read), counted <paramref name="count"/> times.</summary>
    public static SecondMoment FromMoment(ReadOnlySpan<double> moment, int order, long count)
    {
        var sum = new double[(long)order * order];
        for (int i = 0; i < order; i++)
            for (int j = 0; j <= i; j++) sum[(long)i * order + j] = moment[i * order + j] * count;
        return new SecondMoment(order, sum, count);
    }
}
