using Alds.Engine.Linalg;

namespace Alds.Engine.Calibration;

/// <summary>
/// The uncentred second moment <c>C = E[x xᵀ]</c> of a layer's input vectors (im2col patches in fold order, or feature
/// vectors), accumulated in float64 from float32 activations. Vectors are gathered into batches of <see cref="Batch"/>
/// and each batch is added by one packed product (<see cref="PackedGemm"/>: float32 widened exactly, float64 fused
/// multiply-adds, lower triangle only): a layer with few positions per sample (ResNet18's last stage: 49) would otherwise
/// pay a whole n×n pass over memory for a rank-49 update. Only the lower triangle is kept. The sum depends only on the
/// order of the vectors and the batch boundaries, not on the thread count.
/// </summary>
internal sealed class SecondMoment
{
    /// <summary>Vectors gathered before one update.</summary>
    public const int Batch = 512;

    private readonly double[] _sum;
    private readonly double[] _first;
    private readonly int _threads;
    private float[]? _pending;
    private int _pendingCount;

    public SecondMoment(int order, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order);
        Order = order;
        _threads = threads;
        _sum = new double[(long)order * order];
        _first = new double[order];
    }

    private SecondMoment(int order, double[] sum, double[] first, long count) { Order = order; _sum = sum; _first = first; Count = count; _threads = 1; }

    /// <summary>Length n of an input vector.</summary>
    public int Order { get; }

    /// <summary>Input vectors accumulated (patches or tokens).</summary>
    public long Count { get; private set; }

    /// <summary>Adds the <paramref name="count"/> vectors stored as the columns of the n×count row-major <paramref name="x"/>.</summary>
    public void AddColumns(ReadOnlySpan<float> x, int count)
    {
        if (count == 0) return;
        Count += count;
        if (count >= Batch) { Flush(); Update(x, count, count); return; }
        if (_pendingCount + count > Batch) Flush();
        _pending ??= new float[(long)Order * Batch];
        for (int i = 0; i < Order; i++) x.Slice(i * count, count).CopyTo(_pending.AsSpan(i * Batch + _pendingCount, count));
        _pendingCount += count;
    }

    /// <summary>Adds the <paramref name="count"/> vectors stored as the rows of the count×n row-major <paramref name="x"/>.</summary>
    public void AddRows(ReadOnlySpan<float> x, int count)
    {
        for (int start = 0; start < count;)
        {
            if (_pendingCount == Batch) Flush();
            _pending ??= new float[(long)Order * Batch];
            int take = Math.Min(count - start, Batch - _pendingCount);
            for (int t = 0; t < take; t++)
            {
                var row = x.Slice((start + t) * Order, Order);
                for (int i = 0; i < Order; i++) _pending[i * Batch + _pendingCount + t] = row[i];
            }
            _pendingCount += take;
            Count += take;
            start += take;
        }
    }

    private void Flush()
    {
        if (_pendingCount == 0) return;
        Update(_pending, Batch, _pendingCount);
        _pendingCount = 0;
    }

    // sum += X Xᵀ (lower triangle) for the Order × count view x (row stride ld).
    private unsafe void Update(ReadOnlySpan<float> x, int ld, int count)
    {
        int n = Order;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            foreach (var v in x.Slice(i * ld, count)) s += v;
            _first[i] += s;
        }
        var temp = WorkBuffers.Rent(checked(n * n));
        try
        {
            fixed (float* xp = x)
            fixed (double* tp = temp)
            {
                var view = MatrixView.Of(xp, n, count, ld);
                PackedGemm.Multiply(view, view.Transpose(), tp, n, _threads, lowerOnly: true);
            }
            for (int i = 0; i < n; i++)
            {
                var row = _sum.AsSpan(i * n, i + 1);
                System.Numerics.Tensors.TensorPrimitives.Add(row, temp.AsSpan(i * n, i + 1), row);
            }
        }
        finally { WorkBuffers.Return(temp); }
    }

    /// <summary><c>C</c> (n×n row-major, lower triangle valid; upper triangle zero): the sum over the count.</summary>
    public double[] Moment()
    {
        Flush();
        var c = new double[_sum.LongLength];
        if (Count == 0) return c;
        double scale = 1.0 / Count;
        for (int i = 0; i < Order; i++)
            for (int j = 0; j <= i; j++) c[(long)i * Order + j] = _sum[(long)i * Order + j] * scale;
        return c;
    }

    /// <summary>The first moment <c>μ = E[x]</c> (n values): what the centred normalisation subtracts (<c>C − μμᵀ</c>).</summary>
    public double[] Mean()
    {
        Flush();
        return Count == 0 ? new double[Order] : _first.Select(v => v / Count).ToArray();
    }

    /// <summary>A moment known already (tests, the cache): <paramref name="moment"/> is C (lower triangle read), counted <paramref name="count"/> times.</summary>
    public static SecondMoment FromMoment(ReadOnlySpan<double> moment, int order, long count, ReadOnlySpan<double> mean = default)
    {
        var sum = new double[(long)order * order];
        for (int i = 0; i < order; i++)
            for (int j = 0; j <= i; j++) sum[(long)i * order + j] = moment[i * order + j] * count;
        var first = new double[order];
        for (int i = 0; i < mean.Length && i < order; i++) first[i] = mean[i] * count;
        return new SecondMoment(order, sum, first, count);
    }
}
