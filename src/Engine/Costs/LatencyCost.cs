using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Costs;

/// <summary>
/// Latency in nanoseconds from a measured <see cref="LatencyTable"/>: a layer kept whole costs its measured latency;
/// factorised as (s, k, j), the latency interpolated in j within its (s, k)'s measured ranks <b>of the same class</b>
/// (aligned: j a multiple of the table's NCHWc block, where ONNX Runtime's blocked kernels can run; unaligned:
/// otherwise): linearly between the nearest measured ranks below and above, the nearest one's value beyond the
/// measured range. An (s, k) that was not measured, or a class with no measured rank, is not covered (null).
/// <see cref="Fixed"/> is the rest of the graph, so totals are whole-model latencies. Every value is the table's
/// measurement times its calibration <see cref="LatencyTable.Scale"/> (rounded to whole nanoseconds), so the original
/// is predicted at its measured median.
/// </summary>
public sealed class LatencyCost : CostModel
{
    private readonly LatencyTable _table;
    private readonly Dictionary<string, LayerLatency> _layers;
    private readonly Dictionary<(string, int, int), LatencyPoint[]> _chains = [];
    private readonly double _scale;

    /// <summary>The cost read from <paramref name="table"/>.</summary>
    public LatencyCost(LatencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _scale = table.Scale;
        _layers = table.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var l in table.Layers)
            foreach (var c in l.Chains)
                _chains[(l.Name, c.Scheme, c.Groups)] = [.. c.Points.OrderBy(p => p.Rank)];
    }

    /// <summary>The table this cost reads.</summary>
    internal LatencyTable Table => _table;

    /// <inheritdoc />
    public override CostKind Kind => CostKind.Latency;

    /// <inheritdoc />
    public override long Fixed => Calibrated(_table.RestNanoseconds);

    /// <inheritdoc />
    public override long Whole(LayerSpec layer) => _layers.TryGetValue(layer.Name, out var l)
        ? Calibrated(l.WholeNanoseconds) : throw new ArgumentException($"layer '{layer.Name}' is not in the latency table", nameof(layer));

    /// <inheritdoc />
    public override long? Factored(LayerSpec layer, int scheme, int groups, int rank) =>
        Interpolated(layer, scheme, groups, rank) is double ns ? Calibrated(ns) : null;

    private long Calibrated(double nanoseconds) => (long)Math.Round(nanoseconds * _scale);

    private double? Interpolated(LayerSpec layer, int scheme, int groups, int rank)
    {
        if (!_chains.TryGetValue((layer.Name, scheme, groups), out var points)) return null;
        bool aligned = Aligned(rank);
        LatencyPoint? below = null, above = null;
        foreach (var p in points)
        {
            if (Aligned(p.Rank) != aligned) continue;
            if (p.Rank <= rank) below = p;
            if (p.Rank >= rank) { above = p; break; }
        }
        if (below is null && above is null) return null;
        if (below is null) return above!.Nanoseconds;
        if (above is null || above.Rank == below.Rank) return below.Nanoseconds;
        double t = (double)(rank - below.Rank) / (above.Rank - below.Rank);
        return below.Nanoseconds + t * (above.Nanoseconds - below.Nanoseconds);
    }

    /// <summary>True when <paramref name="rank"/> is a multiple of the table's NCHWc block (block 1: every rank).</summary>
    internal bool Aligned(int rank) => _table.Block <= 1 || rank % _table.Block == 0;

    /// <summary>
    /// The ranks to measure on a chain whose ranks run from 1 to <paramref name="maxRank"/>: in each class, both ends
    /// and up to <paramref name="inner"/> evenly spaced ranks between (aligned: multiples of <paramref name="block"/>;
    /// unaligned: 1, the rank below each aligned point, and the largest unaligned rank).
    /// </summary>
    internal static int[] RanksToMeasure(int maxRank, int block, int inner = 4)
    {
        if (maxRank < 1) return [];
        var ranks = new SortedSet<int>();
        if (block <= 1)
        {
            foreach (int r in Spread(1, maxRank, 1, inner)) ranks.Add(r);
            return [.. ranks];
        }
        int top = maxRank - maxRank % block;
        var alignedPoints = top >= block ? Spread(block, top, block, inner) : [];
        foreach (int r in alignedPoints) ranks.Add(r);
        ranks.Add(1);
        foreach (int r in alignedPoints) if (r - 1 >= 1 && (r - 1) % block != 0) ranks.Add(r - 1);
        int lastUnaligned = maxRank % block != 0 ? maxRank : maxRank - 1;
        if (lastUnaligned >= 1) ranks.Add(lastUnaligned);
        return [.. ranks];
    }

    /// <summary>Multiples of <paramref name="step"/> from <paramref name="low"/> to <paramref name="high"/>: both ends and up to <paramref name="inner"/> evenly spaced between.</summary>
    private static List<int> Spread(int low, int high, int step, int inner)
    {
        var list = new List<int> { low };
        int count = (high - low) / step;
        for (int i = 1; i <= inner; i++)
        {
            int r = low + (int)Math.Round((double)count * i / (inner + 1)) * step;
            if (r > list[^1] && r < high) list.Add(r);
        }
        if (high > list[^1]) list.Add(high);
        return list;
    }
}
