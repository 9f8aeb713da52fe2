using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli;

/// <summary>The per-layer table and summary of a plan.</summary>
public static class PlanTable
{
    public static void Write(CliContext context, Plan plan, long modelParams)
    {
        bool measured = plan.Layers.Any(l => l.RelErrorMeasured is not null);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("layer").AddColumn("shape").AddColumn(new TableColumn("scheme").RightAligned())
            .AddColumn(new TableColumn("k").RightAligned()).AddColumn(new TableColumn("j").RightAligned())
            .AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("ratio").RightAligned())
            .AddColumn(new TableColumn("error bound").RightAligned());
        if (measured) table.AddColumn(new TableColumn("measured").RightAligned());
        foreach (var l in plan.Layers)
        {
            var bold = l.Layer.Name == plan.Bottleneck;
            string name = bold ? $"[bold yellow]{Markup.Escape(l.Layer.Name)}[/]" : Markup.Escape(l.Layer.Name);
            var row = new List<string>
            {
                name, string.Join("×", l.Layer.Shape),
                l.Compressed ? l.Scheme.ToString() : "-", l.Compressed ? l.Groups.ToString() : "-", l.Compressed ? l.Rank.ToString() : "kept",
                $"{l.ParamsAfter:N0}", $"{(double)l.ParamsAfter / l.ParamsBefore:F3}", $"{l.RelError:F6}",
            };
            if (measured) row.Add(l.RelErrorMeasured is double m ? $"{m:F6}" : "-");
            table.AddRow(row.ToArray());
        }
        context.Console.Write(table);
        long saved = plan.ParamsBefore - plan.ParamsAfter;
        context.Console.MarkupLine(
            $"optimizer [bold]{plan.Optimizer}[/], error {plan.ErrorMeasure}, schemes [[{string.Join(",", plan.Schemes)}]]: " +
            $"budget {plan.Budget:N0}{(plan.Keep is double k ? $" (keep {k})" : "")}");
        context.Console.MarkupLine(
            $"compressible layers: {plan.ParamsBefore:N0} → [bold]{plan.ParamsAfter:N0}[/] params ({(double)plan.ParamsAfter / plan.ParamsBefore:F4}); " +
            $"whole model: {modelParams:N0} → {modelParams - saved:N0} ({(double)(modelParams - saved) / modelParams:F4})");
        if (plan.Cost is { } cost)
            context.Console.MarkupLine(
                $"{cost.Kind.Name()}{(cost.Kind == CostKind.Latency ? " (predicted, whole model)" : "")}: {cost.Kind.Format(cost.TotalBefore)} → [bold]{cost.Kind.Format(cost.TotalAfter)}[/] " +
                $"({(double)cost.TotalAfter / cost.TotalBefore:F4}); budget {cost.Kind.Format(cost.Limit)}");
        context.Console.MarkupLine($"max relative error [bold]{plan.MaxRelError:F6}[/] at [yellow]{Markup.Escape(plan.Bottleneck)}[/]" +
            (plan.NextSmallerThreshold is double t ? $"; optimal: the next smaller attainable error {t:F6} needs {(plan.Cost is { NextSmaller: long n } c ? c.Kind.Format(n) : $"{plan.NextSmallerThresholdParams:N0} params")} > budget" : ""));
    }
}
