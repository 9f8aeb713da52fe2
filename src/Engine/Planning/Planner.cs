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
        var table = OptionTable.Build(analysis, options.Error, options.Schemes, options.Align, include, options.MaxDegreeOfParallelism);
        ThrowIfUnreachable(budget, table.CheapestParams, table.ParamsBefore, options.Optimizer);
        var solver = new ThresholdSolver(table.Layers, parallel);
        var solution = solver.Solve(budget.Params)
            ?? throw new InvalidOperationException("threshold search found no feasible threshold above the cheapest total");
        var choice = options.Refine ? solver.Refine(solution, budget.Params) : solution.Choice;
        var chosen = new PlanOption[choice.Length];
        for (int l = 0; l < chosen.Length; l++) chosen[l] = table.Layers[l][choice[l]];
        return Assemble(options.Optimizer, table.Schemes, options.Error, budget, table.Layers, chosen) with
        {
            NextSmallerThreshold = solution.NextSmaller,
            NextSmallerThresholdParams = solution.NextSmallerParams,
        };
    }

    internal static void ThrowIfUnreachable(Budget budget, long cheapest, long paramsBefore, OptimizerKind optimizer)
    {
        if (cheapest <= budget.Params) return;
        var inv = CultureInfo.InvariantCulture;
        double keep = paramsBefore > 0 ? Math.Ceiling((double)cheapest / paramsBefore * 1e6) / 1e6 : 0;
        string asked = budget.Keep is double k ? $"keep {k.ToString(inv)} ({budget.Params.ToString(inv)} params)" : $"{budget.Params.ToString(inv)} params";
        throw new PlanningException(
            $"budget {asked} is unreachable with optimizer {optimizer.Name()}: the smallest reachable keep is {keep.ToString("0.######", inv)} ({cheapest.ToString(inv)} of {paramsBefore.ToString(inv)} params)");
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
