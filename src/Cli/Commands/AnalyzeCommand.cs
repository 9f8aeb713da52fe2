using System.CommandLine;
using Alds.Engine.Analysis;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds analyze</c>: the error curves e(s,k,j) of every layer.</summary>
public static class AnalyzeCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var json = CommonOptions.Json();
        var filter = new LayerFilterOptions();
        var analysis = new AnalysisOptions();
        var command = new Command("analyze", "Singular values of every channel group for every k: the error curves of every layer");
        command.Arguments.Add(model);
        command.Options.Add(json);
        filter.AddTo(command);
        analysis.AddTo(command);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            using var session = new ModelSession(path, filter.Read(parse));
            bool asJson = parse.GetValue(json);
            var result = session.Analyze(context, parse, analysis, quiet: asJson);
            var elapsed = session.AnalysisTime;
            if (asJson) JsonOutput.Write(context.Out, w => AnalysisJson.Write(w, result));
            else WriteTable(context, result, elapsed);
            return AldsApp.Success;
        });
        return command;
    }

    private static void WriteTable(CliContext context, ModelAnalysis analysis, TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("layer").AddColumn("shape").AddColumn(new TableColumn("‖W‖₂").RightAligned())
            .AddColumn("options").AddColumn(new TableColumn("e at half rank, k=1").RightAligned())
            .AddColumn(new TableColumn("best e at half params").RightAligned());
        foreach (var layer in analysis.Layers)
        {
            var l = layer.Layer;
            var k1 = layer.Options.FirstOrDefault(o => o.Groups == 1 && o.Scheme == 0);
            string halfRank = k1 is null ? "-" : k1.ErrorsMax[Math.Max(0, k1.MaxRank / 2 - 1)].ToString("F4");
            double best = double.PositiveInfinity;
            foreach (var o in layer.Options)
                for (int j = 1; j <= o.MaxRank; j++)
                    if (FoldScheme.Params(o.Scheme, o.Groups, j, l.Out, l.In, l.Kh, l.Kw) <= l.Params / 2)
                        best = Math.Min(best, o.ErrorsMax[j - 1]);
            table.AddRow(Markup.Escape(l.Name), string.Join("×", l.Shape),
                (k1?.Norm ?? layer.Options.FirstOrDefault()?.Norm ?? 0).ToString("G5"),
                layer.Options.Count.ToString(), halfRank, double.IsInfinity(best) ? "-" : best.ToString("F4"));
        }
        context.Console.Write(table);
        context.Console.MarkupLine($"{analysis.Layers.Count} layers, {analysis.Layers.Sum(l => l.Options.Count)} (scheme, k) options, " +
            $"schemes [[{string.Join(",", analysis.Schemes)}]]; analysis {elapsed.TotalSeconds:F2} s");
    }
}
