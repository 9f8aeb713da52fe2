using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Alds.Engine;
using Alds.Engine.Export;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds compress</c>: analyse, plan, factorise and write the compressed model.</summary>
public static class CompressCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default: <model>.alds.<format> in the current directory)" };
        var format = new Option<string?>("--format") { Description = "safetensors or onnx (default: from the output's extension, else safetensors)" };
        format.AcceptOnlyFromAmong("safetensors", "onnx");
        var grouped = new Option<string>("--onnx-grouped-linear")
        {
            Description = "ONNX output: how grouped linear encoders run, split (Split/MatMul/Concat) or batched (Transpose + one batched MatMul)",
            DefaultValueFactory = _ => "split",
        };
        grouped.AcceptOnlyFromAmong("split", "batched");
        var report = new Option<string?>("--report") { Description = "Also write a JSON report (plan with measured errors, timings) to this file" };
        var command = new Command("compress", "Compress a model: analyse, plan, factorise every chosen layer and write the result");
        foreach (var o in new Option[] { output, format, grouped, report }) command.Options.Add(o);
        inputs.AddTo(command);
        command.SetAction(parse =>
        {
            var path = inputs.ModelPath(parse);
            var outputFormat = ResolveFormat(parse.GetValue(format), parse.GetValue(output));
            var outputPath = parse.GetValue(output) ?? DefaultOutput(path, outputFormat);
            if (!Engine.Models.ShardedSafetensorsModelSource.TryFindIndex(path, out _))
                CompressedModelWriter.CheckOutput(path, outputPath); // refuse before the sweep; sharded outputs are folders
            OptionValues.CheckExtraOutput(parse.GetValue(report), "--report", path, outputPath);
            bool asJson = parse.GetValue(inputs.Json);
            var form = parse.GetValue(grouped) == "batched" ? GroupedLinearForm.Batched : GroupedLinearForm.SplitConcat;
            var total = Stopwatch.StartNew();

            using var session = inputs.Open(parse);
            var source = session.Source;
            if (parse.GetValue(output) is null && source is Engine.Models.ShardedSafetensorsModelSource)
                outputPath = ShardedCompressedWriter.DefaultOutput(path);
            if (outputFormat == OutputFormat.Onnx && source is not Engine.Models.OnnxModelSource)
                throw new Engine.ModelFormatException($"{path}: --format onnx (or an .onnx output) needs an ONNX input model");
            if (outputFormat == OutputFormat.Onnx && source is Engine.Models.OnnxModelSource onnxSource)
                OnnxRewriter.CheckRewritable(onnxSource.Model, source.Layers, form, grouped: parse.GetValue(inputs.Analysis.MaxGroups) > 1); // refuse before the analysis
            var plan = inputs.CreatePlan(context, parse, session, out var planTime);
            var analysisTime = session.AnalysisTime;

            var clock = Stopwatch.StartNew();
            var layers = plan.Layers.Where(l => l.Compressed).ToDictionary(l => l.Layer.Name, l => new StageLayer(
                string.Join("×", l.Layer.Shape), l.Layer.Params,
                Engine.Decomposition.FactorizationWork.Estimate(l.Layer, l.Scheme, l.Groups, l.Rank)));
            var measured = StageProgress.Run(context, "factorise", asJson, layers, p => CompressedModelWriter.Write(source, plan, outputPath, outputFormat, p, context.Cancel, form,
                session.Calibrated?.Factorizer));
            var writeTime = clock.Elapsed;
            var timings = new Dictionary<string, double>
            {
                ["analysis_s"] = analysisTime.TotalSeconds, ["planning_s"] = planTime.TotalSeconds,
                ["factorise_and_write_s"] = writeTime.TotalSeconds, ["total_s"] = total.Elapsed.TotalSeconds,
            };
            var latency = LatencyReport.Measure(context, parse, inputs, session, measured, outputPath, outputFormat, asJson);
            if (parse.GetValue(report) is string reportPath) WriteReport(reportPath, measured, outputPath, timings, latency);

            if (asJson) context.Out.WriteLine(PlanJson.Write(measured, indented: true));
            else
            {
                PlanTable.Write(context, measured, source.Tensors.Sum(t => t.ElementCount));
                double worst = measured.Layers.Max(l => l.RelErrorMeasured ?? 0);
                context.Console.MarkupLine($"largest measured residual ‖F(W) − F(Ŵ)‖₂/‖F(W)‖₂: [bold]{worst:F6}[/]");
                if (measured.Calibration is not null)
                    context.Console.MarkupLine($"largest measured data-aware residual ‖(F − F̂)L‖₂/‖FL‖₂ (calibration data): [bold]{measured.Layers.Max(l => l.RelErrorMeasuredWhitened ?? 0):F6}[/]");
                context.Console.MarkupLine($"wrote [green]{Markup.Escape(outputPath)}[/] ({outputFormat.ToString().ToLowerInvariant()}, {ShardedCompressedWriter.OutputBytes(outputPath):N0} bytes)");
                context.Console.MarkupLine($"time: analysis {analysisTime.TotalSeconds:F2} s, planning {planTime.TotalMilliseconds:F1} ms, " +
                    $"factorise + write {writeTime.TotalSeconds:F2} s, total {total.Elapsed.TotalSeconds:F2} s");
            }
            return AldsApp.Success;
        });
        return command;
    }

    private static OutputFormat ResolveFormat(string? format, string? output) => format switch
    {
        "onnx" => OutputFormat.Onnx,
        "safetensors" => OutputFormat.Safetensors,
        _ when output is not null && output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) => OutputFormat.Onnx,
        _ => OutputFormat.Safetensors,
    };

    private static string DefaultOutput(string model, OutputFormat format) =>
        Path.GetFileNameWithoutExtension(model) + ".alds." + (format == OutputFormat.Onnx ? "onnx" : "safetensors");

    private static void WriteReport(string path, Plan plan, string output, IReadOnlyDictionary<string, double> timings, LatencyReport? latency)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("output", output);
            w.WritePropertyName("plan");
            PlanJson.Write(w, plan);
            w.WriteStartObject("timings");
            foreach (var (k, v) in timings) w.WriteNumber(k, v);
            w.WriteEndObject();
            latency?.Write(w);
            w.WriteEndObject();
        }
        try { Engine.Runtime.TemporaryFiles.WriteAtomically(path, buffer.ToArray()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot write the report: {e.Message}");
        }
    }
}
