using System.CommandLine;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds plan</c>: choose (scheme, k, j) for every layer under a budget.</summary>
public static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var command = new Command("plan", "Choose (scheme, k, j) for every layer: minimise the largest layer error under a parameter budget");
        inputs.AddTo(command);
        command.SetAction(parse =>
        {
            using var session = inputs.Open(parse);
            var plan = inputs.CreatePlan(context, parse, session, out var planTime);
            if (parse.GetValue(inputs.Json)) context.Out.WriteLine(PlanJson.Write(plan, indented: true));
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
