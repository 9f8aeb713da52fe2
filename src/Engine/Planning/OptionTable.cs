using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Planning;

/// <summary>
/// One way to store a layer: factorised as (scheme, groups, rank) or, when
/// <see cref="Compressed"/> is false, kept whole (error 0, original size, rank 0).
/// </summary>
public readonly record struct PlanOption(int Scheme, int Groups, int Rank, long Params, double Error, bool Compressed);

/// <summary>
/// The Pareto frontier of one layer's options in (cost, error): cost strictly ascending, error strictly
/// descending. The cost is params unless the table was built for another <see cref="CostModel"/>.
/// The last entry always has error 0 (keeping the layer whole, or a cheaper exact
/// factorisation), so every threshold ≥ 0 has an answer.
/// </summary>
public sealed class LayerOptions
{
    private readonly PlanOption[] _frontier;
    private readonly double[] _errors;
    private readonly long[] _params;
    private readonly long[] _costs;

    private LayerOptions(LayerSpec layer, PlanOption[] frontier, long[]? costs = null)
    {
        Layer = layer;
        _frontier = frontier;
        _errors = Array.ConvertAll(frontier, o => o.Error);
        _params = Array.ConvertAll(frontier, o => o.Params);
        _costs = costs ?? _params;
    }

    /// <summary>The layer these options belong to.</summary>
    internal LayerSpec Layer { get; }

    /// <summary>The non-dominated options, cheapest first.</summary>
    public IReadOnlyList<PlanOption> Frontier => _frontier;

    /// <summary>Number of frontier entries.</summary>
    internal int Count => _frontier.Length;

    /// <summary>Frontier entry <paramref name="index"/>.</summary>
    internal PlanOption this[int index] => _frontier[index];

    internal ReadOnlySpan<double> Errors => _errors;

    /// <summary>The budgeted cost of frontier entry <paramref name="index"/> (its params under a params budget).</summary>
    internal long Cost(int index) => _costs[index];

    /// <summary>Index of the cheapest option with error ≤ <paramref name="threshold"/> (exact comparison).</summary>
    internal int CheapestWithin(double threshold)
    {
        // errors strictly descending: first index with e <= threshold
        int lo = 0, hi = _errors.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_errors[mid] <= threshold) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>Index of the most accurate option with params ≤ <paramref name="budget"/>, or -1 if none fits.</summary>
    internal int BestWithin(long budget)
    {
        int i = Array.BinarySearch(_params, budget);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>The option that keeps a layer whole.</summary>
    internal static PlanOption KeepOption(LayerSpec layer) => new(0, 1, 0, layer.Params, 0.0, false);

    /// <summary>
    /// Builds the frontier of <paramref name="layer"/> from <paramref name="options"/>: every rank that is a
    /// multiple of <paramref name="align"/> and smaller than the original layer, plus the keep option.
    /// </summary>
    internal static LayerOptions Build(LayerSpec layer, IEnumerable<SchemeOption> options, ErrorMeasure measure, int align = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(align, 1);
        long original = layer.Params;
        // Each (scheme, k) curve is a chain already sorted by params (params = j · perRank). A k-way merge in
        // (params, error, scheme, k, j) order visits the options as a full sort would, without sorting.
        var chains = new List<(SchemeOption Option, double[] Curve, long PerRank)>();
        var queue = new PriorityQueue<int, OptionKey>();
        foreach (var o in options)
        {
            var curve = measure == ErrorMeasure.Max ? o.ErrorsMax : o.ErrorsRss;
            long perRank = FoldScheme.Params(o.Scheme, o.Groups, 1, layer.Out, layer.In, layer.Kh, layer.Kw);
            chains.Add((o, curve, perRank));
            Enqueue(chains.Count - 1, align);
        }
        var frontier = new List<PlanOption>();
        double best = double.PositiveInfinity;
        while (best > 0 && queue.TryDequeue(out int c, out var key))
        {
            if (key.Error < best)
            {
                frontier.Add(new PlanOption(key.Scheme, key.Groups, key.Rank, key.Cost, key.Error, true));
                best = key.Error;
            }
            Enqueue(c, key.Rank + align);
        }
        if (best > 0) frontier.Add(KeepOption(layer)); // params = original: after every compressed option
        return new LayerOptions(layer, [.. frontier]);

        void Enqueue(int chain, int rank)
        {
            var (o, curve, perRank) = chains[chain];
            if (rank > curve.Length) return;
            long p = checked(rank * perRank);
            if (p >= original) return; // params grow with rank; the keep option stands in
            double e = curve[rank - 1];
            if (!(e >= 0) || double.IsInfinity(e))
                throw new PlanningException($"layer '{layer.Name}': error curve (scheme {o.Scheme}, k = {o.Groups}) has invalid value {e} at rank {rank}");
            queue.Enqueue(chain, new OptionKey(p, e, o.Scheme, o.Groups, rank));
        }
    }

    /// <summary>
    /// The frontier of <paramref name="layer"/> in (cost, error) under <paramref name="cost"/>: every option of
    /// <paramref name="options"/> whose rank is a multiple of <paramref name="align"/>, whose params are below the
    /// original's and whose cost the model covers, plus the keep option, sorted by (cost, error, scheme, k, j) and
    /// reduced to the entries that lower the error. A cost need not grow with the rank, so this sorts every option.
    /// </summary>
    internal static LayerOptions Build(LayerSpec layer, IEnumerable<SchemeOption> options, ErrorMeasure measure, int align, CostModel cost)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(align, 1);
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Kind == CostKind.Params) return Build(layer, options, measure, align);
        long original = layer.Params;
        var keys = new List<OptionKey>();
        foreach (var o in options)
        {
            var curve = measure == ErrorMeasure.Max ? o.ErrorsMax : o.ErrorsRss;
            long perRank = FoldScheme.Params(o.Scheme, o.Groups, 1, layer.Out, layer.In, layer.Kh, layer.Kw);
            for (int rank = align; rank <= curve.Length; rank += align)
            {
                long p = checked(rank * perRank);
                if (p >= original) break;
                double e = curve[rank - 1];
                if (!(e >= 0) || double.IsInfinity(e))
                    throw new PlanningException($"layer '{layer.Name}': error curve (scheme {o.Scheme}, k = {o.Groups}) has invalid value {e} at rank {rank}");
                if (cost.Factored(layer, o.Scheme, o.Groups, rank) is long c) keys.Add(new OptionKey(c, e, o.Scheme, o.Groups, rank));
            }
        }
        var keep = KeepOption(layer);
        keys.Add(new OptionKey(cost.Whole(layer), 0.0, int.MaxValue, 1, 0)); // after any exact factorisation of equal cost
        keys.Sort();
        var frontier = new List<PlanOption>();
        var costs = new List<long>();
        double best = double.PositiveInfinity;
        foreach (var key in keys)
        {
            if (!(key.Error < best)) continue;
            bool whole = key.Rank == 0;
            frontier.Add(whole ? keep : new PlanOption(key.Scheme, key.Groups, key.Rank,
                FoldScheme.Params(key.Scheme, key.Groups, key.Rank, layer.Out, layer.In, layer.Kh, layer.Kw), key.Error, true));
            costs.Add(key.Cost);
            best = key.Error;
            if (best == 0) break;
        }
        return new LayerOptions(layer, [.. frontier], [.. costs]);
    }

    private readonly record struct OptionKey(long Cost, double Error, int Scheme, int Groups, int Rank) : IComparable<OptionKey>
    {
        public int CompareTo(OptionKey b)
        {
            int c = Cost.CompareTo(b.Cost);
            if (c == 0) c = Error.CompareTo(b.Error);
            if (c == 0) c = Scheme.CompareTo(b.Scheme);
            if (c == 0) c = Groups.CompareTo(b.Groups);
            if (c == 0) c = Rank.CompareTo(b.Rank);
            return c;
        }
    }
}

/// <summary>The frontiers of every layer of a model, for one error measure and option filter.</summary>
public sealed class OptionTable
{
    private OptionTable(LayerOptions[] layers, IReadOnlyList<int> schemes, CostModel cost)
    {
        Layers = layers;
        Schemes = schemes;
        Cost = cost;
        ParamsBefore = layers.Sum(l => l.Layer.Params);
        CheapestParams = layers.Sum(l => l[0].Params);
        CostBefore = layers.Sum(l => cost.Whole(l.Layer));
        CheapestCost = layers.Sum(l => l.Cost(0));
    }

    /// <summary>The cost the frontiers are built for.</summary>
    internal CostModel Cost { get; }

    /// <summary>Cost of the compressible layers before compression.</summary>
    internal long CostBefore { get; }

    /// <summary>The smallest reachable cost of the compressible layers: every layer at its cheapest option.</summary>
    internal long CheapestCost { get; }

    /// <summary>Per layer, in analysis order.</summary>
    public IReadOnlyList<LayerOptions> Layers { get; }

    /// <summary>The schemes allowed (ascending).</summary>
    public IReadOnlyList<int> Schemes { get; }

    /// <summary>Parameters of the compressible layers before compression.</summary>
    internal long ParamsBefore { get; }

    /// <summary>The smallest reachable total: every layer at its cheapest option.</summary>
    internal long CheapestParams { get; }

    /// <summary>
    /// Builds the table. <paramref name="schemes"/> null allows every scheme of the analysis;
    /// <paramref name="include"/> optionally filters further (e.g. k = 1 only).
    /// </summary>
    public static OptionTable Build(ModelAnalysis analysis, ErrorMeasure measure, IReadOnlyList<int>? schemes = null,
        int align = 1, Func<SchemeOption, bool>? include = null, int maxDegreeOfParallelism = -1, CostModel? cost = null)
    {
        cost ??= CostModel.Params;
        var allowed = AllowedSchemes(analysis, schemes);
        var layers = new LayerOptions[analysis.Layers.Count];
        var errors = new Exception?[layers.Length];
        // layers are independent; failures are reported for the first bad layer in model order
        Parallel.For(0, layers.Length, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
        {
            var la = analysis.Layers[i];
            try
            {
                layers[i] = LayerOptions.Build(la.Layer,
                    la.Options.Where(o => allowed.Contains(o.Scheme) && (include is null || include(o))), measure, align, cost);
            }
            catch (Exception e) { errors[i] = e; }
        });
        if (Array.Find(errors, e => e is not null) is { } first)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        return new OptionTable(layers, allowed, cost);
    }

    internal static int[] AllowedSchemes(ModelAnalysis analysis, IReadOnlyList<int>? schemes)
    {
        var present = analysis.Schemes.Count > 0
            ? analysis.Schemes
            : analysis.Layers.SelectMany(l => l.Options).Select(o => o.Scheme).Distinct().ToArray();
        var allowed = (schemes is null ? present : present.Where(schemes.Contains)).Distinct().Order().ToArray();
        if (allowed.Length == 0)
            throw new PlanningException($"no allowed folding scheme: requested [{string.Join(",", schemes ?? [])}], analysis has [{string.Join(",", present)}]");
        return allowed;
    }
}
