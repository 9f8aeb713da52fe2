using Alds.Engine.Analysis;
using Alds.Engine.Costs;
using Alds.Engine.Export;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary>One measured point of <c>alds frontier --budget latency --measure</c>.</summary>
public sealed record MeasuredPoint(double Keep, double Error, double PredictedMs, double MeasuredMs, double OriginalMs);

/// <summary>
/// <c>--measure</c>: the exact plan at 5 reachable budgets of the frontier (evenly spread), each compressed to a
/// temporary ONNX file and timed against the original (<see cref="LatencyCheck"/>, 20 alternated runs, median).
/// </summary>
public static class FrontierMeasurement
{
    public const int Points = 5, Runs = 20;

    public static IReadOnlyList<MeasuredPoint> Run(CliContext context, ModelSession session, FrontierResult frontier, ModelAnalysis analysis,
        PlannerOptions options, InputShapes shapes)
    {
        if (session.Source is not OnnxModelSource onnx) return [];
        var exact = frontier.Series(OptimizerKind.Exact)!;
        var reachable = Enumerable.Range(0, frontier.Keeps.Count).Where(p => double.IsFinite(exact[p])).ToArray();
        if (reachable.Length == 0) return [];
        var chosen = Enumerable.Range(0, Math.Min(Points, reachable.Length))
            .Select(i => reachable[(int)Math.Round((double)i * (reachable.Length - 1) / Math.Max(1, Math.Min(Points, reachable.Length) - 1))])
            .Distinct().ToArray();
        var folder = Directory.CreateTempSubdirectory("alds-frontier-");
        var result = new List<MeasuredPoint>();
        try
        {
            foreach (int p in chosen)
            {
                context.Cancel.ThrowIfCancellationRequested();
                var plan = Planner.Create(analysis, Budget.FromKeep(frontier.Keeps[p], frontier.CostBefore!.Value - options.Cost!.Fixed, frontier.Kind, options.Cost.Fixed), options with { Optimizer = OptimizerKind.Exact });
                var path = Path.Combine(folder.FullName, $"keep{p}.onnx");
                CompressedModelWriter.Write(onnx, plan, path, OutputFormat.Onnx, null, context.Cancel);
                var (original, compressed) = LatencyCheck.Measure(onnx, path, shapes, Runs, context.Cancel);
                File.Delete(path);
                result.Add(new MeasuredPoint(frontier.Keeps[p], plan.MaxRelError, plan.Cost!.TotalAfter / 1e6, compressed.MedianMs, original.MedianMs));
                context.Console.MarkupLine(Markup.Escape($"measured keep {frontier.Keeps[p]:0.###}: {compressed.MedianMs:F3} ms (original {original.MedianMs:F3} ms)"));
            }
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
        return result;
    }
}
