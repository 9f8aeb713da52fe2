using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alds.Engine.Costs;
using Alds.Engine.Evaluation;
using Alds.Engine.Export;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli;

/// <summary>
/// After <c>compress --budget latency</c> to ONNX: the whole-model latency the table predicted, against the latency
/// measured for the original and the written model in one alternated run (<see cref="LatencyCheck"/>).
/// </summary>
public sealed record LatencyReport(double PredictedOriginalMs, double PredictedMs, LatencyStats Original, LatencyStats Compressed)
{
    /// <summary>Alternated timed runs of each model.</summary>
    public const int Runs = 40;

    /// <summary>Measures when the plan has a latency cost and the output is ONNX; null otherwise.</summary>
    public static LatencyReport? Measure(CliContext context, ParseResult parse, PlanInputs inputs, ModelSession session, Plan plan,
        string outputPath, OutputFormat format, bool quiet)
    {
        if (plan.Cost is not { Kind: CostKind.Latency } cost || format != OutputFormat.Onnx || session.Source is not OnnxModelSource onnx) return null;
        var (original, compressed) = LatencyCheck.Measure(onnx, outputPath, inputs.Cost.ReadInputShapes(parse), Runs, context.Cancel);
        var report = new LatencyReport(cost.TotalBefore / 1e6, cost.TotalAfter / 1e6, original, compressed);
        if (!quiet)
        {
            var inv = CultureInfo.InvariantCulture;
            context.Console.MarkupLine(Markup.Escape(string.Create(inv,
                $"latency, predicted vs measured (median of {Runs} alternated runs): compressed {report.PredictedMs:F3} vs {compressed.MedianMs:F3} ms " +
                $"({report.PredictedMs / compressed.MedianMs - 1:+0.0%;-0.0%}), original {report.PredictedOriginalMs:F3} vs {original.MedianMs:F3} ms; " +
                $"measured speed-up {original.MedianMs / compressed.MedianMs:F2}×")));
        }
        return report;
    }

    /// <summary>The report's <c>latency</c> object.</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject("latency");
        w.WriteNumber("runs", Runs);
        w.WriteNumber("predicted_original_ms", PredictedOriginalMs);
        w.WriteNumber("predicted_ms", PredictedMs);
        w.WriteNumber("measured_original_median_ms", Original.MedianMs);
        w.WriteNumber("measured_original_p90_ms", Original.P90Ms);
        w.WriteNumber("measured_median_ms", Compressed.MedianMs);
        w.WriteNumber("measured_p90_ms", Compressed.P90Ms);
        w.WriteEndObject();
    }
}
