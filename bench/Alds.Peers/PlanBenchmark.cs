using Alds.Engine.Analysis;
using Alds.Engine.Planning;

namespace Alds.Peers;

/// <summary>One optimizer of <c>alds bench plan</c>: median planning time and the max error it reached.</summary>
public sealed record PlanBenchRow(string Optimizer, double MedianMs, double MaxRelError, long ParamsAfter);

/// <summary>Planning time of the exact and paper optimizers on one analysis, median of N repeats after a warm-up.</summary>
public static class PlanBenchmark
{
    public static IReadOnlyList<PlanBenchRow> Run(ModelAnalysis analysis, double keep, int repeat, IReadOnlyList<OptimizerKind>? optimizers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var budget = Budget.FromKeep(keep, Planner.ParamsBefore(analysis));
        var rows = new List<PlanBenchRow>();
        foreach (var kind in optimizers ?? [OptimizerKind.Exact, OptimizerKind.Paper])
        {
            var options = new PlannerOptions { Optimizer = kind };
            Plan plan = null!;
            double ms = SvdBenchmark.Median(repeat, () => plan = Planner.Create(analysis, budget, options));
            rows.Add(new PlanBenchRow(kind.Name(), ms, plan.MaxRelError, plan.ParamsAfter));
        }
        return rows;
    }
}
