namespace Alds.Engine.Planning;

/// <summary>
/// Exact minimax over per-layer frontiers: for a threshold ε every layer takes its cheapest
/// option with error ≤ ε (cheapest in the frontiers' cost: params, MACs or latency); the total is non-increasing in ε, so the smallest feasible ε is found
/// by binary search over the sorted distinct attainable errors. Errors are compared exactly
/// (no tolerance). Layers are evaluated in parallel into an array and summed in order, so the
/// result does not depend on the number of threads.
/// </summary>
internal sealed class ThresholdSolver
{
    /// <summary>
    /// Below this many layers a probe (a few binary searches per layer, about a microsecond in all)
    /// is cheaper than starting parallel work, so it runs inline. Same result either way.
    /// </summary>
    internal const int ParallelMinLayers = 128;

    private readonly IReadOnlyList<LayerOptions> _layers;
    private readonly ParallelOptions _parallel;
    private readonly long[] _cost;
    private readonly double[] _allErrors;   // every frontier error of every layer, ascending
    private readonly int[] _allLayers;      // the layer each entry of _allErrors belongs to

    /// <summary><paramref name="NextSmallerCost"/> and <paramref name="NextSmallerParams"/>: the least cost at the next smaller
    /// attainable threshold (over the budget), and the params of that allocation.</summary>
    internal readonly record struct Solution(int[] Choice, double Threshold, long Total, double? NextSmaller, long? NextSmallerCost, long? NextSmallerParams);

    internal ThresholdSolver(IReadOnlyList<LayerOptions> layers, ParallelOptions parallel)
    {
        _layers = layers;
        _parallel = parallel;
        _cost = new long[layers.Count];
        int total = 0;
        foreach (var l in layers) total += l.Count;
        _allErrors = new double[total];
        _allLayers = new int[total];
        int at = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var errors = layers[i].Errors;
            errors.CopyTo(_allErrors.AsSpan(at));
            _allLayers.AsSpan(at, errors.Length).Fill(i);
            at += errors.Length;
        }
        Array.Sort(_allErrors, _allLayers);
    }

    /// <summary>Total cost with every active layer at its cheapest option within <paramref name="threshold"/>.</summary>
    internal long Total(double threshold, bool[]? active = null)
    {
        var layers = _layers;
        var cost = _cost;
        if (layers.Count >= ParallelMinLayers && _parallel.MaxDegreeOfParallelism != 1)
        {
            Parallel.For(0, layers.Count, _parallel, i =>
            {
                cost[i] = active is null || active[i] ? layers[i].Cost(layers[i].CheapestWithin(threshold)) : 0;
            });
        }
        else
        {
            for (int i = 0; i < cost.Length; i++)
                cost[i] = active is null || active[i] ? layers[i].Cost(layers[i].CheapestWithin(threshold)) : 0;
        }
        long sum = 0;
        foreach (long c in cost) sum = checked(sum + c);
        return sum;
    }

    /// <summary>Sorted distinct errors of active layers that are ≤ cap (or &lt; cap when exclusive).</summary>
    private double[] Thresholds(bool[]? active, double cap, bool capExclusive)
    {
        var list = new List<double>();
        for (int i = 0; i < _allErrors.Length; i++)
        {
            double e = _allErrors[i];
            if (capExclusive ? !(e < cap) : !(e <= cap)) break;
            if (active is not null && !active[_allLayers[i]]) continue;
            if (list.Count == 0 || list[^1] != e) list.Add(e);
        }
        return [.. list];
    }

    /// <summary>Index of the smallest threshold with total ≤ budget, or -1 when even the largest is over.</summary>
    private int Smallest(double[] thresholds, long budget, bool[]? active)
    {
        if (thresholds.Length == 0 || Total(thresholds[^1], active) > budget) return -1;
        int lo = 0, hi = thresholds.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Total(thresholds[mid], active) <= budget) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>The minimax plan, or null when the budget is unreachable.</summary>
    internal Solution? Solve(long budget)
    {
        var thresholds = Thresholds(null, double.PositiveInfinity, false);
        int i = Smallest(thresholds, budget, null);
        if (i < 0) return null;
        double t = thresholds[i];
        var choice = new int[_layers.Count];
        long total = 0;
        for (int l = 0; l < choice.Length; l++)
        {
            choice[l] = _layers[l].CheapestWithin(t);
            total += _layers[l].Cost(choice[l]);
        }
        double? next = i > 0 ? thresholds[i - 1] : null;
        long? nextCost = next is double n ? Total(n) : null;
        long? nextParams = next is double m ? ParamsWithin(m) : null;
        return new Solution(choice, t, total, next, nextCost, nextParams);
    }

    private long ParamsWithin(double threshold)
    {
        long sum = 0;
        foreach (var l in _layers) sum = checked(sum + l[l.CheapestWithin(threshold)].Params);
        return sum;
    }

    /// <summary>
    /// Lexicographic stage: fix the layers at the current maximum that cannot be lowered, lower
    /// the others (cheapest extra cost first, ties by layer index) while the leftover budget allows,
    /// and re-solve the threshold problem on the rest below that level. Never raises the maximum
    /// and never exceeds the budget; each round fixes at least one layer.
    /// </summary>
    internal int[] Refine(Solution solution, long budget)
    {
        int n = _layers.Count;
        var choice = (int[])solution.Choice.Clone();
        var active = new bool[n];
        Array.Fill(active, true);
        double cap = solution.Threshold;
        bool exclusive = false;
        var atLevel = new List<int>();
        while (Array.IndexOf(active, true) >= 0)
        {
            long fixedCost = 0;
            for (int l = 0; l < n; l++) if (!active[l]) fixedCost += _layers[l].Cost(choice[l]);
            long available = budget - fixedCost;
            var thresholds = Thresholds(active, cap, exclusive);
            int i = Smallest(thresholds, available, active);
            if (i < 0) break; // cannot happen (the current choice is feasible below cap); keep it
            double t = thresholds[i];
            long used = 0;
            for (int l = 0; l < n; l++)
            {
                if (!active[l]) continue;
                choice[l] = _layers[l].CheapestWithin(t);
                used += _layers[l].Cost(choice[l]);
            }
            if (t == 0) break;
            long leftover = available - used;
            atLevel.Clear();
            for (int l = 0; l < n; l++)
                if (active[l] && _layers[l][choice[l]].Error == t) atLevel.Add(l);
            atLevel.Sort((a, b) =>
            {
                int c = Extra(a).CompareTo(Extra(b));
                return c != 0 ? c : a.CompareTo(b);
            });
            int fixedNow = 0;
            foreach (int l in atLevel)
            {
                long extra = Extra(l);
                if (extra <= leftover) { leftover -= extra; choice[l]++; }
                else { active[l] = false; fixedNow++; }
            }
            if (fixedNow == 0) break; // impossible when t is minimal; guards termination
            cap = t;
            exclusive = true;
        }
        return choice;

        long Extra(int l) => _layers[l].Cost(choice[l] + 1) - _layers[l].Cost(choice[l]);
    }
}
