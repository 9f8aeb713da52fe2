using System.Globalization;
using System.Text;
using Alds.Engine.Analysis;

namespace Alds.Engine.Planning;

/// <summary>
/// The error-versus-budget frontier of several optimizers over one analysis.
/// <c>Errors[o][p]</c> is the max relative layer error of optimizer <c>Optimizers[o]</c> at <c>Keeps[p]</c>,
/// NaN where that budget is unreachable for that optimizer.
/// </summary>
public sealed record FrontierResult(
    IReadOnlyList<double> Keeps,
    IReadOnlyList<OptimizerKind> Optimizers,
    IReadOnlyList<double[]> Errors,
    long ParamsBefore,
    ErrorMeasure Error)
{
    /// <summary>What the budgets limit; keeps are ratios of this cost.</summary>
    public CostKind Kind { get; init; } = CostKind.Params;

    /// <summary>
    /// Under a cost other than params: <c>Totals[o][p]</c> is the plan's whole total in that cost (MACs; latency in
    /// nanoseconds, predicted, the rest of the graph included), NaN where unreachable. Null under params.
    /// </summary>
    public IReadOnlyList<double[]>? Totals { get; init; }

    /// <summary>The total before compression in <see cref="Kind"/> (null under params: see <see cref="ParamsBefore"/>).</summary>
    public long? CostBefore { get; init; }

    /// <summary>The series of <paramref name="optimizer"/>, or null when it was not computed.</summary>
    public double[]? Series(OptimizerKind optimizer)
    {
        for (int o = 0; o < Optimizers.Count; o++)
            if (Optimizers[o] == optimizer) return Errors[o];
        return null;
    }
}

/// <summary>Plans one analysis at many budgets with several optimizers (<c>alds frontier</c>).</summary>
public static class Frontier
{
    /// <summary>The optimizers of <c>alds frontier</c>, in CSV column order.</summary>
    internal static IReadOnlyList<OptimizerKind> DefaultOptimizers { get; } =
        [OptimizerKind.Exact, OptimizerKind.Paper, OptimizerKind.K1, OptimizerKind.Uniform, OptimizerKind.Energy];

    /// <summary>
    /// <paramref name="points"/> evenly spaced keep ratios from <paramref name="low"/> to <paramref name="high"/>
    /// inclusive, rounded to 12 decimals so that 0.05 + 0.1 prints as 0.15.
    /// </summary>
    public static double[] EvenKeeps(int points, double low = 0.05, double high = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!(low > 0 && low < high && high <= 1)) throw new ArgumentOutOfRangeException(nameof(low), "need 0 < low < high <= 1");
        var keeps = new double[points];
        for (int i = 0; i < points; i++) keeps[i] = Math.Round(low + (high - low) * i / (points - 1), 12);
        return keeps;
    }

    /// <summary>
    /// Plans <paramref name="analysis"/> at every keep with every optimizer; <paramref name="options"/> supplies the
    /// error measure, schemes, refine and align (its optimizer is replaced). An unreachable budget gives NaN.
    /// </summary>
    public static FrontierResult Compute(ModelAnalysis analysis, IReadOnlyList<double> keeps, IReadOnlyList<OptimizerKind>? optimizers = null,
        PlannerOptions? options = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(keeps);
        options ??= new PlannerOptions();
        var cost = options.Cost ?? CostModel.Params;
        optimizers ??= cost.Kind == CostKind.Params ? DefaultOptimizers : [.. DefaultOptimizers.Where(o => o != OptimizerKind.Paper)];
        long paramsBefore = Planner.ParamsBefore(analysis);
        long before = cost.Kind == CostKind.Params ? paramsBefore : analysis.Layers.Sum(l => cost.Whole(l.Layer));
        var errors = new double[optimizers.Count][];
        var totals = new double[optimizers.Count][];
        for (int o = 0; o < optimizers.Count; o++)
        {
            var planner = options with { Optimizer = optimizers[o] };
            errors[o] = new double[keeps.Count];
            totals[o] = new double[keeps.Count];
            for (int p = 0; p < keeps.Count; p++)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    var plan = Planner.Create(analysis, Budget.FromKeep(keeps[p], before, cost.Kind, cost.Fixed), planner);
                    errors[o][p] = plan.MaxRelError;
                    totals[o][p] = plan.Cost?.TotalAfter ?? plan.ParamsAfter;
                }
                catch (PlanningException) { errors[o][p] = totals[o][p] = double.NaN; }
            }
        }
        return new FrontierResult([.. keeps], [.. optimizers], errors, paramsBefore, options.Error) with
        {
            Kind = cost.Kind,
            Totals = cost.Kind == CostKind.Params ? null : totals,
            CostBefore = cost.Kind == CostKind.Params ? null : before + cost.Fixed,
        };
    }

    /// <summary>
    /// CSV with header <c>keep,exact,paper,...</c> (optimizer names), one row per keep, invariant culture,
    /// round-trip numbers; an unreachable point is an empty field.
    /// </summary>
    public static string ToCsv(FrontierResult frontier)
    {
        ArgumentNullException.ThrowIfNull(frontier);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("keep");
        foreach (var o in frontier.Optimizers) text.Append(',').Append(o.Name());
        string unit = frontier.Kind == CostKind.Latency ? "latency_ms" : frontier.Kind.Name();
        if (frontier.Totals is not null) foreach (var o in frontier.Optimizers) text.Append(',').Append(o.Name()).Append('_').Append(unit);
        text.Append('\n');
        for (int p = 0; p < frontier.Keeps.Count; p++)
        {
            text.Append(frontier.Keeps[p].ToString("R", inv));
            foreach (var series in frontier.Errors)
            {
                text.Append(',');
                if (double.IsFinite(series[p])) text.Append(series[p].ToString("R", inv));
            }
            if (frontier.Totals is not null)
                foreach (var totals in frontier.Totals)
                {
                    text.Append(',');
                    double t = frontier.Kind == CostKind.Latency ? totals[p] / 1e6 : totals[p];
                    if (double.IsFinite(t)) text.Append(t.ToString("R", inv));
                }
            text.Append('\n');
        }
        return text.ToString();
    }
}
