using System.Globalization;
using Alds.Engine.Analysis;

namespace Alds.Engine.Planning;

/// <summary>Chooses (scheme, k, j) for every compressible layer under a global parameter budget.</summary>
public static class Planner
{
    /// <summary>Parameters of the compressible layers of <paramref name="analysis"/> before compression.</summary>
    public static long ParamsBefore(ModelAnalysis analysis) => analysis.Layers.Sum(l => l.Layer.Params);

    /// <summary>
    /// Plans with <paramref name="options"/> (default: exact minimax, error <c>max</c>, refine on).
    /// Throws <see cref="PlanningException"/> when the budget is unreachable, naming the smallest reachable keep.
    /// </summary>
    public static Plan Create(ModelAnalysis analysis, Budget budget, PlannerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(budget);
        options ??= new PlannerOptions();
        var cost = options.Cost ?? CostModel.Params;
        if (cost.Kind != budget.Kind)
            throw new ArgumentException($"a {budget.Kind.Name()} budget needs a {budget.Kind.Name()} cost model, got {cost.Kind.Name()}", nameof(options));
        if (cost.Kind != CostKind.Params && options.Optimizer == OptimizerKind.Paper)
            throw new PlanningException($"optimizer paper plans under a params budget only (asked: {cost.Kind.Name()}); use exact, k1, uniform or energy");
        if (options.Align < 1) throw new PlanningException($"--align {options.Align} is invalid: it must be at least 1");
        if (analysis.Layers.Count == 0) throw new PlanningException("the model has no compressible layer to plan");
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        return WithNorms(analysis, options.Optimizer switch
        {
            OptimizerKind.Exact => Exact(analysis, budget, options, parallel, null),
            OptimizerKind.K1 => Exact(analysis, budget, options, parallel, static o => o.Groups == 1),
            OptimizerKind.Paper => PaperAllocator.Create(analysis, budget, options, parallel),
            OptimizerKind.Uniform or OptimizerKind.Energy => Baselines.Create(analysis, budget, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        });
    }

    /// <summary>Each compressed layer carries the norm of its chosen fold, known from the analysis.</summary>
    private static Plan WithNorms(ModelAnalysis analysis, Plan plan)
    {
        var layers = new LayerChoice[plan.Layers.Count];
        for (int l = 0; l < layers.Length; l++)
        {
            var choice = plan.Layers[l];
            var source = l < analysis.Layers.Count && analysis.Layers[l].Layer == choice.Layer
                ? analysis.Layers[l] : analysis.Layers.First(a => a.Layer == choice.Layer);
            var option = choice.Compressed ? source.Options.FirstOrDefault(o => o.Scheme == choice.Scheme) : null;
            layers[l] = option is null ? choice : choice with { Norm = option.Norm };
        }
        return plan with { Layers = layers };
    }

    private static Plan Exact(ModelAnalysis analysis, Budget budget, PlannerOptions options, ParallelOptions parallel,
        Func<SchemeOption, bool>? include)
    {
        var cost = options.Cost ?? CostModel.Params;
        var table = OptionTable.Build(analysis, options.Error, options.Schemes, options.Align, include, options.MaxDegreeOfParallelism, cost);
        ThrowIfUnreachable(budget, table.CheapestCost, table.CostBefore, options.Optimizer, cost.Fixed);
        long layerBudget = budget.Params - cost.Fixed;
        var solver = new ThresholdSolver(table.Layers, parallel);
        var solution = solver.Solve(layerBudget)
            ?? throw new InvalidOperationException("threshold search found no feasible threshold above the cheapest total");
        var choice = options.Refine ? solver.Refine(solution, layerBudget) : solution.Choice;
        var chosen = new PlanOption[choice.Length];
        var costs = new long[choice.Length];
        for (int l = 0; l < chosen.Length; l++) { chosen[l] = table.Layers[l][choice[l]]; costs[l] = table.Layers[l].Cost(choice[l]); }
        var plan = Assemble(options.Optimizer, table.Schemes, options.Error, budget, table.Layers, chosen) with
        {
            NextSmallerThreshold = solution.NextSmaller,
            NextSmallerThresholdParams = solution.NextSmallerParams,
        };
        return WithCost(plan, cost, budget, costs, solution.NextSmallerCost);
    }

    /// <summary>Records the budgeted cost of every layer and the totals, when the budget is not params.</summary>
    internal static Plan WithCost(Plan plan, CostModel cost, Budget budget, IReadOnlyList<long> costs, long? nextSmaller)
    {
        if (cost.Kind == CostKind.Params) return plan;
        var layers = new LayerChoice[plan.Layers.Count];
        long before = 0, after = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            long whole = cost.Whole(plan.Layers[l].Layer);
            layers[l] = plan.Layers[l] with { CostBefore = whole, CostAfter = costs[l] };
            before += whole;
            after += costs[l];
        }
        return plan with
        {
            Budget = plan.ParamsBefore,
            Layers = layers,
            Cost = new PlanCost(cost.Kind, budget.Params, cost.Fixed, before, after, nextSmaller is long n ? n + cost.Fixed : null),
        };
    }

    /// <summary>
    /// Throws when <paramref name="cheapest"/> (the least total of the compressible layers, in the budget's kind) plus
    /// <paramref name="fixedPart"/> exceeds the budget, naming the smallest reachable keep (of the layers' cost) and for
    /// latency the smallest reachable whole-model latency.
    /// </summary>
    internal static void ThrowIfUnreachable(Budget budget, long cheapest, long before, OptimizerKind optimizer, long fixedPart = 0)
    {
        if (cheapest + fixedPart <= budget.Params) return;
        var inv = CultureInfo.InvariantCulture;
        double keep = before > 0 ? Math.Ceiling((double)cheapest / before * 1e6) / 1e6 : 0;
        string keepText = keep.ToString("0.######", inv);
        if (budget.Kind == CostKind.Params)
        {
            string asked = budget.Keep is double k ? $"keep {k.ToString(inv)} ({budget.Params.ToString(inv)} params)" : $"{budget.Params.ToString(inv)} params";
            throw new PlanningException(
                $"budget {asked} is unreachable with optimizer {optimizer.Name()}: the smallest reachable keep is {keepText} ({cheapest.ToString(inv)} of {before.ToString(inv)} params)");
        }
        var kind = budget.Kind;
        string limit = budget.Keep is double r ? $"keep {r.ToString(inv)} ({kind.Format(budget.Params)})" : kind.Format(budget.Params);
        string smallest = kind == CostKind.Latency
            ? $"the smallest reachable latency is {kind.Format(cheapest + fixedPart)} (keep {keepText} of the layers' {kind.Format(before)})"
            : $"the smallest reachable keep is {keepText} ({kind.Format(cheapest)} of {kind.Format(before)})";
        throw new PlanningException($"{kind.Name()} budget {limit} is unreachable with optimizer {optimizer.Name()}: {smallest}");
    }

    internal static Plan Assemble(OptimizerKind optimizer, IReadOnlyList<int> schemes, ErrorMeasure measure, Budget budget,
        IReadOnlyList<LayerOptions> layers, IReadOnlyList<PlanOption> chosen)
    {
        var choices = new LayerChoice[chosen.Count];
        long before = 0, after = 0;
        double max = 0;
        int bottleneck = 0;
        for (int l = 0; l < choices.Length; l++)
        {
            var spec = layers[l].Layer;
            var o = chosen[l];
            choices[l] = new LayerChoice(spec, o.Compressed, o.Scheme, o.Groups, o.Rank, spec.Params, o.Params, o.Error);
            before += spec.Params;
            after += o.Params;
            if (o.Error > max) { max = o.Error; bottleneck = l; }
        }
        return new Plan(optimizer.Name(), [.. schemes], measure.Name(), budget.Keep, budget.Params, before, after, max,
            layers[bottleneck].Layer.Name, choices);
    }
}
