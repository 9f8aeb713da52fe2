using System.CommandLine;
using System.Diagnostics;
using Alds.Engine.Planning;

namespace Alds.Cli;

/// <summary>What <c>plan</c> and <c>compress</c> share: the model, <c>--json</c>, the layer filter, the analysis and the planner options.</summary>
public sealed class PlanInputs
{
    public Argument<string?> Model { get; } = CommonOptions.Model();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public LayerFilterOptions Filter { get; } = new();
    public AnalysisOptions Analysis { get; } = new();
    public PlanningOptions Planning { get; } = new();
    public CostOptions Cost { get; } = new();

    public void AddTo(Command command)
    {
        command.Arguments.Add(Model);
        command.Options.Add(Json);
        Filter.AddTo(command);
        Analysis.AddTo(command);
        Planning.AddTo(command);
        Cost.AddTo(command, Planning);
    }

    public string ModelPath(ParseResult parse) => DefaultModel.Resolve(parse.GetValue(Model));

    public ModelSession Open(ParseResult parse) => new(ModelPath(parse), Filter.Read(parse));

    /// <summary>Analyses the model (or loads the analysis from the cache), then plans; <paramref name="planTime"/> is the planner's share.</summary>
    public Plan CreatePlan(CliContext context, ParseResult parse, ModelSession session, out TimeSpan planTime)
    {
        var kind = Cost.ReadKind(parse);
        var costs = CostSetup.Prepare(context, parse, Cost, Analysis, session, kind); // bad input refused before the analysis
        var analysis = session.Analyze(context, parse, Analysis, quiet: parse.GetValue(Json));
        var options = Planning.Read(parse, analysis.Schemes);
        var model = costs.Model(analysis, options, quiet: parse.GetValue(Json));
        var clock = Stopwatch.StartNew();
        var budget = kind == Engine.Planning.CostKind.Params
            ? Planning.ReadBudget(parse, Planner.ParamsBefore(analysis))
            : Cost.ReadBudget(parse, Planning, kind, analysis.Layers.Sum(l => model.Whole(l.Layer)), model.Fixed);
        var plan = Planning.AlignAuto(parse) && kind == Engine.Planning.CostKind.Latency
            ? AutoAlign(analysis, budget, options with { Cost = model })
            : Planner.Create(analysis, budget, options with { Cost = model });
        planTime = clock.Elapsed;
        return session.Calibrated is { } calibrated ? plan with { Calibration = calibrated.Record } : plan;
    }

    /// <summary>
    /// <c>--align auto</c> under a latency budget: the exact plan at alignments 1, block/2, block and 2×block (the
    /// CPU's NCHWc block), each exact over its restricted options and within the budget; the least max error wins,
    /// then the least predicted latency, then the smaller alignment.
    /// </summary>
    private static Plan AutoAlign(Engine.Analysis.ModelAnalysis analysis, Budget budget, PlannerOptions options)
    {
        int block = Engine.Costs.LatencyEnvironment.NchwcBlock;
        Plan? best = null;
        PlanningException? first = null;
        foreach (int align in new[] { 1, block / 2, block, 2 * block }.Where(a => a >= 1).Distinct().Order())
        {
            Plan plan;
            try { plan = Planner.Create(analysis, budget, options with { Align = align }); }
            catch (PlanningException e) { first ??= e; continue; }
            if (best is null || plan.MaxRelError < best.MaxRelError
                || (plan.MaxRelError == best.MaxRelError && plan.Cost!.TotalAfter < best.Cost!.TotalAfter)) best = plan;
        }
        return best ?? throw first!;
    }
}
