using System.CommandLine;
using System.Diagnostics;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds plan</c>: choose (scheme, k, j) for every layer under a budget.</summary>
public static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var json = CommonOptions.Json();
        var filter = new LayerFilterOptions();
        var analysis = new AnalysisOptions();
        var planning = new PlanningOptions();
        var command = new Command("plan", "Choose (scheme, k, j) for every layer: minimise the largest layer error under a parameter budget");
        command.Arguments.Add(model);
        command.Options.Add(json);
        filter.AddTo(command);
        analysis.AddTo(command);
        planning.AddTo(command);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            using var session = new ModelSession(path, filter.Read(parse));
            bool asJson = parse.GetValue(json);
            var result = session.Analyze(context, parse, analysis, quiet: asJson);
            var clock = Stopwatch.StartNew();
            var plan = Planner.Create(result, planning.ReadBudget(parse, Planner.ParamsBefore(result)), planning.Read(parse, result.Schemes));
            var planTime = clock.Elapsed;
            if (asJson) context.Out.WriteLine(PlanJson.Write(plan, indented: true));
            else
            {
                PlanTable.Write(context, plan, session.ModelParams);
                context.Console.MarkupLine($"analysis {session.AnalysisTime.TotalSeconds:F2} s{(session.FromManifest ? " (from the cache)" : "")}, planning {planTime.TotalMilliseconds:F1} ms");
            }
            return AldsApp.Success;
        });
        return command;
    }
}
