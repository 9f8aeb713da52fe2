using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Planning;

/// <summary>
/// The paper's alternating heuristic (torchprune <c>ALDSErrorIterativeAllocator</c>), kept for
/// fidelity and comparison. 15 seeds: k = 3, 5, 7, 9 (per layer the nearest available k, ties to
/// the larger, default scheme 0), then random (scheme, k) per layer drawn from
/// <c>new Random(PaperRandomSeed)</c>. Per seed: with (s, k) fixed per layer, the smallest feasible
/// threshold (found exactly, where torchprune bisects with brentq); if infeasible, k is halved
/// everywhere until it fits (a seed fails once every k is 1). Then 4 rounds of: per layer, the
/// (s, k) with the lowest error whose best rank fits in the layer's current params (k descending,
/// schemes ascending, first strict minimum wins), and a new threshold solve. The best seed wins.
/// Deviation: ranks are rounded down at the layer budget (torchprune rounds to nearest and backs
/// off on failure), so a round never raises the error and the budget is never exceeded.
/// Every allocation it considers is in the exact optimizer's option set, so it never beats it.
/// </summary>
internal static class PaperAllocator
{
    private const int SeedCount = 15, Iterations = 4;
    private static readonly int[] FixedK = [3, 5, 7, 9];

    private readonly record struct Key(int Scheme, int Groups);

    private sealed class LayerChoices
    {
        public required LayerOptions KeepOnly { get; init; }
        public required Dictionary<Key, LayerOptions> Options { get; init; }
        public required Key[] Order { get; init; }              // k descending, scheme ascending
        public required Dictionary<int, int[]> Groups { get; init; } // per scheme, k descending
        public required int[] Schemes { get; init; }

        public LayerOptions this[Key? key] => key is Key k ? Options[k] : KeepOnly;

        public Key? Nearest(int scheme, int desired)
        {
            if (Schemes.Length == 0) return null;
            if (!Groups.TryGetValue(scheme, out var ks)) { scheme = Schemes[0]; ks = Groups[scheme]; }
            int best = ks[0];
            foreach (int k in ks) if (Math.Abs(k - desired) < Math.Abs(best - desired)) best = k;
            return new Key(scheme, best);
        }
    }

    public static Plan Create(ModelAnalysis analysis, Budget budget, PlannerOptions options, ParallelOptions parallel)
    {
        var table = OptionTable.Build(analysis, options.Error, options.Schemes, options.Align, null, options.MaxDegreeOfParallelism);
        Planner.ThrowIfUnreachable(budget, table.CheapestParams, table.ParamsBefore, OptimizerKind.Paper);
        var allowed = table.Schemes;
        var layers = analysis.Layers.Select(la => Build(la, allowed, options)).ToArray();
        int defaultScheme = allowed.Contains(FoldScheme.KernelEncode) ? FoldScheme.KernelEncode : allowed[0];
        var rng = new Random(options.PaperRandomSeed);

        Key?[]? bestAssign = null;
        ThresholdSolver.Solution? best = null;
        for (int seed = 0; seed < SeedCount; seed++)
        {
            var assign = new Key?[layers.Length];
            for (int l = 0; l < layers.Length; l++)
            {
                var lc = layers[l];
                if (seed < FixedK.Length) assign[l] = lc.Nearest(defaultScheme, FixedK[seed]);
                else if (lc.Schemes.Length > 0)
                {
                    int s = lc.Schemes[rng.Next(lc.Schemes.Length)];
                    var ks = lc.Groups[s];
                    assign[l] = new Key(s, ks[rng.Next(ks.Length)]);
                }
            }
            var result = OptimizeSeed(layers, assign, budget.Params, parallel);
            if (result is { } r && (best is null || r.Solution.Threshold < best.Value.Threshold))
            {
                best = r.Solution;
                bestAssign = r.Assign;
            }
        }
        if (best is null || bestAssign is null)
            throw new PlanningException($"optimizer paper found no valid allocation for a budget of {budget.Params} params; use optimizer exact");

        var chosen = new PlanOption[layers.Length];
        var frontiers = new LayerOptions[layers.Length];
        for (int l = 0; l < layers.Length; l++)
        {
            frontiers[l] = layers[l][bestAssign[l]];
            chosen[l] = frontiers[l][best.Value.Choice[l]];
        }
        return Planner.Assemble(OptimizerKind.Paper, allowed, options.Error, budget, frontiers, chosen);
    }

    private static LayerChoices Build(LayerAnalysis la, IReadOnlyList<int> allowed, PlannerOptions options)
    {
        var usable = la.Options.Where(o => allowed.Contains(o.Scheme)).ToArray();
        var dict = new Dictionary<Key, LayerOptions>();
        foreach (var o in usable)
            dict.TryAdd(new Key(o.Scheme, o.Groups), LayerOptions.Build(la.Layer, [o], options.Error, options.Align));
        var order = dict.Keys.OrderByDescending(k => k.Groups).ThenBy(k => k.Scheme).ToArray();
        var groups = order.GroupBy(k => k.Scheme).ToDictionary(g => g.Key, g => g.Select(k => k.Groups).ToArray());
        return new LayerChoices
        {
            KeepOnly = LayerOptions.Build(la.Layer, [], options.Error, options.Align),
            Options = dict,
            Order = order,
            Groups = groups,
            Schemes = [.. groups.Keys.Order()],
        };
    }

    private static (Key?[] Assign, ThresholdSolver.Solution Solution)? OptimizeSeed(
        LayerChoices[] layers, Key?[] assign, long budget, ParallelOptions parallel)
    {
        ThresholdSolver.Solution? solution;
        while ((solution = Solve(layers, assign, budget, parallel)) is null)
        {
            if (assign.All(k => k is null || k.Value.Groups <= 1)) return null;
            for (int l = 0; l < assign.Length; l++)
                if (assign[l] is Key k) assign[l] = layers[l].Nearest(k.Scheme, k.Groups / 2);
        }
        var current = solution.Value;
        for (int it = 0; it < Iterations; it++)
        {
            var next = new Key?[assign.Length];
            for (int l = 0; l < assign.Length; l++)
            {
                var lc = layers[l];
                long layerBudget = lc[assign[l]][current.Choice[l]].Params;
                next[l] = assign[l];
                double bestError = double.PositiveInfinity;
                foreach (var key in lc.Order)
                {
                    var f = lc.Options[key];
                    int i = f.BestWithin(layerBudget);
                    if (i < 0) continue;
                    if (f[i].Error < bestError) { bestError = f[i].Error; next[l] = key; }
                }
            }
            var solved = Solve(layers, next, budget, parallel);
            if (solved is not { } s || s.Threshold > current.Threshold) break;
            assign = next;
            current = s;
        }
        return (assign, current);
    }

    private static ThresholdSolver.Solution? Solve(LayerChoices[] layers, Key?[] assign, long budget, ParallelOptions parallel)
    {
        var frontiers = new LayerOptions[layers.Length];
        for (int l = 0; l < layers.Length; l++) frontiers[l] = layers[l][assign[l]];
        return new ThresholdSolver(frontiers, parallel).Solve(budget);
    }
}
