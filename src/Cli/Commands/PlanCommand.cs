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
            using var source = Engine.Models.ModelSources.Open(path, filter.Read(parse));
            using var backend = analysis.CreateBackend(parse);
            bool asJson = parse.GetValue(json);
            var sweep = analysis.Read(parse, context);
            var result = SweepRunner.Run(context, source, backend, sweep, quiet: asJson, out var analysisTime);
            var clock = Stopwatch.StartNew();
            var plan = Planner.Create(result, planning.ReadBudget(parse, Planner.ParamsBefore(result)), planning.Read(parse, sweep.Schemes));
            var planTime = clock.Elapsed;
            if (asJson) context.Out.WriteLine(PlanJson.Write(plan, indented: true));
            else
            {
                PlanTable.Write(context, plan, source.Tensors.Sum(t => t.ElementCount));
                context.Console.MarkupLine($"analysis {analysisTime.TotalSeconds:F2} s, planning {planTime.TotalMilliseconds:F1} ms");
            }
            return AldsApp.Success;
        });
        return command;
    }
}
