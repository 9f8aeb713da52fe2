using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Alds.Engine.Planning;
using Alds.Engine.Runtime;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds frontier</c>: the max layer error against keep for every optimizer, from one analysis.</summary>
public static class FrontierCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var filter = new LayerFilterOptions();
        var analysis = new AnalysisOptions();
        var png = new Option<string?>("--png") { Description = "Write the frontier chart to this PNG file" };
        var csv = new Option<string?>("--csv") { Description = "Write the frontier to this CSV file (keep,exact,paper,k1,uniform,energy)" };
        var points = new Option<int>("--points")
        {
            Description = "Number of keep ratios, evenly spaced over [0.05, 0.95] (2 to 10000)",
            DefaultValueFactory = _ => 50,
            CustomParser = r =>
            {
                string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "50";
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 2 && n <= 10000) return n;
                r.AddError($"--points {text}: must be an integer between 2 and 10000");
                return 0;
            },
        };
        var error = new Option<string>("--error")
        {
            Description = "Error measure: max (the paper's) or rss (root-sum-square over groups)",
            DefaultValueFactory = _ => "max",
        };
        error.AcceptOnlyFromAmong("max", "rss");
        var logY = new Option<bool>("--log-y") { Description = "Logarithmic error axis in the chart" };
        var cost = new CostOptions();
        var measureOption = new Option<bool>("--measure")
        {
            Description = "With --budget latency: also compress the exact plan at 5 budgets to ONNX and measure it (original and compressed alternated), drawn as measured points",
        };

        var command = new Command("frontier", "Max layer error against the budget (params, macs or predicted latency) for the exact, paper, k1, uniform and energy optimizers");
        command.Arguments.Add(model);
        foreach (var o in new Option[] { png, csv, points, error, logY, measureOption }) command.Options.Add(o);
        filter.AddTo(command);
        analysis.AddTo(command);
        cost.AddTo(command, null);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            string? pngPath = parse.GetValue(png), csvPath = parse.GetValue(csv);
            OptionValues.CheckExtraOutput(pngPath, "--png", path);
            OptionValues.CheckExtraOutput(csvPath, "--csv", path, pngPath);
            using var session = new ModelSession(path, filter.Read(parse));
            var kind = cost.ReadKind(parse);
            if (parse.GetValue(measureOption) && kind != CostKind.Latency) throw new UsageException("--measure needs --budget latency");
            var costs = CostSetup.Prepare(context, parse, cost, analysis, session, kind);
            var result = session.Analyze(context, parse, analysis, quiet: false);
            var analysisTime = session.AnalysisTime;
            if (result.Layers.Count == 0) throw new PlanningException("the model has no compressible layer to plan");
            PlanNames.TryParseErrorMeasure(parse.GetValue(error), out var measure);
            var plannerOptions = new PlannerOptions { Error = measure, Schemes = result.Schemes };
            plannerOptions = plannerOptions with { Cost = costs.Model(result, plannerOptions, quiet: false) };
            var clock = Stopwatch.StartNew();
            var frontier = Frontier.Compute(result, Frontier.EvenKeeps(parse.GetValue(points)), null, plannerOptions, context.Cancel);
            var planTime = clock.Elapsed;
            var measured = parse.GetValue(measureOption)
                ? FrontierMeasurement.Run(context, session, frontier, result, plannerOptions, cost.ReadInputShapes(parse))
                : [];
            string name = Path.GetFileNameWithoutExtension(path);

            var outputs = new List<(string, byte[])>();
            if (csvPath is not null) outputs.Add((csvPath, Encoding.UTF8.GetBytes(Frontier.ToCsv(frontier))));
            if (pngPath is not null)
                outputs.Add((pngPath, FrontierChart.Png(frontier,
                    $"{name}: max layer error against {(kind == CostKind.Latency ? "predicted latency" : "budget")} (schemes [{string.Join(",", result.Schemes)}], error {measure.Name()})",
                    parse.GetValue(logY), measured)));
            TemporaryFiles.WriteAllAtomically(outputs);
            if (csvPath is null && pngPath is null) WriteTable(context, frontier);
            else
            {
                if (csvPath is not null) context.Console.MarkupLine($"wrote [bold]{Markup.Escape(csvPath)}[/] ({frontier.Keeps.Count} rows)");
                if (pngPath is not null) context.Console.MarkupLine($"wrote [bold]{Markup.Escape(pngPath)}[/]");
            }
            foreach (var m in measured)
                context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"measured: exact at keep {m.Keep:0.###}: max error {m.Error:F6}, predicted {m.PredictedMs:F3} ms, measured {m.MeasuredMs:F3} ms (original {m.OriginalMs:F3} ms, speed-up {m.OriginalMs / m.MeasuredMs:F2}×)")));
            context.Console.MarkupLine($"analysis {analysisTime.TotalSeconds:F2} s, {frontier.Keeps.Count * frontier.Optimizers.Count} plans {planTime.TotalSeconds:F2} s");
            return AldsApp.Success;
        });
        return command;
    }

    /// <summary>About ten evenly spread rows, always including the first and the last keep.</summary>
    private static void WriteTable(CliContext context, FrontierResult frontier)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("keep").RightAligned());
        foreach (var o in frontier.Optimizers) table.AddColumn(new TableColumn(o.Name()).RightAligned());
        int n = frontier.Keeps.Count, step = Math.Max(1, (n - 1) / 9);
        var rows = Enumerable.Range(0, n).Where(p => p % step == 0 || p == n - 1).Distinct();
        foreach (int p in rows)
        {
            var cells = new List<string> { frontier.Keeps[p].ToString("0.####", CultureInfo.InvariantCulture) };
            foreach (var series in frontier.Errors)
                cells.Add(double.IsFinite(series[p]) ? series[p].ToString("F6", CultureInfo.InvariantCulture) : "-");
            table.AddRow(cells.ToArray());
        }
        context.Console.Write(table);
        context.Console.MarkupLine($"max relative layer error ({frontier.Error.Name()}) of the compressible layers ({frontier.ParamsBefore:N0} params); '-': budget unreachable");
    }
}
