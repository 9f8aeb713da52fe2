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

    public void AddTo(Command command)
    {
        command.Arguments.Add(Model);
        command.Options.Add(Json);
        Filter.AddTo(command);
        Analysis.AddTo(command);
        Planning.AddTo(command);
    }

    public string ModelPath(ParseResult parse) => DefaultModel.Resolve(parse.GetValue(Model));

    public ModelSession Open(ParseResult parse) => new(ModelPath(parse), Filter.Read(parse));

    /// <summary>Analyses the model (or loads the analysis from the cache), then plans; <paramref name="planTime"/> is the planner's share.</summary>
    public Plan CreatePlan(CliContext context, ParseResult parse, ModelSession session, out TimeSpan planTime)
    {
        var analysis = session.Analyze(context, parse, Analysis, quiet: parse.GetValue(Json));
        var clock = Stopwatch.StartNew();
        var plan = Planner.Create(analysis, Planning.ReadBudget(parse, Planner.ParamsBefore(analysis)), Planning.Read(parse, analysis.Schemes));
        planTime = clock.Elapsed;
        return session.Calibrated is { } calibrated ? plan with { Calibration = calibrated.Record } : plan;
    }
}
