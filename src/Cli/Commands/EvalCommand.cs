using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alds.Engine.Evaluation;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds eval ORIGINAL.onnx COMPRESSED.onnx</c>: output error and latency of a compressed model against its original.</summary>
public static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        var original = new Argument<string>("ORIGINAL") { Description = "The original .onnx model" };
        var compressed = new Argument<string>("COMPRESSED") { Description = "The compressed .onnx model (same input and output names and shapes)" };
        var images = new Option<string?>("--images")
        {
            Description = $"Folder of .png/.jpg/.jpeg images (default: the photographs in {EvalImageSet.DefaultDirectory})",
        };
        var crops = new Option<int>("--crops") { Description = "Random square crops per image (seeded)", DefaultValueFactory = _ => 4 };
        var runs = new Option<int>("--runs") { Description = "Timed runs per model after warm-up (CPU, at --batch)", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch")
        {
            Description = $"Image models: crops stacked per run, for the comparison and the timing (1–{BatchedModel.MaxBatch}; the model's batch dimension must be 1 or open)",
            DefaultValueFactory = _ => 1,
        };
        var texts = new Option<string?>("--texts") { Description = $"Text models: a file of texts, one a line (default: {TextCorpus.Describe(null)})" };
        var vocab = new Option<string?>("--vocab") { Description = "Text models: the WordPiece vocabulary (default: vocab.txt beside ORIGINAL)" };
        var samples = new Option<int>("--samples") { Description = "Text models: texts drawn from the corpus (seeded)", DefaultValueFactory = _ => 256 };
        var maxLength = new Option<int?>("--max-length") { Description = "Text models: tokens per text (default: 256, or the model's position table when shorter)" };
        var lowercase = new Option<bool?>("--lowercase") { Description = "Text models: lower-case the texts (default: as the vocabulary implies)" };
        var json = CommonOptions.Json();

        var command = new Command("eval", "Compare a compressed ONNX model with its original on real images or texts: output error, cosine, agreement, latency");
        command.Arguments.Add(original);
        command.Arguments.Add(compressed);
        command.Options.Add(images);
        command.Options.Add(crops);
        command.Options.Add(runs);
        command.Options.Add(batch);
        foreach (var o in new Option[] { texts, vocab, samples, maxLength, lowercase }) command.Options.Add(o);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var kind = ModelKinds.DetectFile(parse.GetValue(original)!);
            if (kind == ModelKind.Text)
            {
                if (parse.GetResult(images) is { Implicit: false } || parse.GetResult(crops) is { Implicit: false } || parse.GetResult(batch) is { Implicit: false })
                    throw new UsageException("--images, --crops and --batch are for image models; this is a text model (use --texts; it times batch 1 and 32)");
                return EvalText(context, parse, new TextEvalOptions(
                    TextsFile: parse.GetValue(texts), Vocab: parse.GetValue(vocab),
                    Samples: AtLeast(parse.GetValue(samples), 2, "--samples"),
                    MaxLength: parse.GetValue(maxLength) is int m ? AtLeast(m, 2, "--max-length") : null,
                    Lowercase: parse.GetValue(lowercase), Runs: Positive(parse.GetValue(runs), "--runs")),
                    parse.GetValue(original)!, parse.GetValue(compressed)!, parse.GetValue(json));
            }
            foreach (var textOnly in new Option[] { texts, vocab, samples, maxLength, lowercase })
                if (parse.GetResult(textOnly) is { Implicit: false })
                    throw new UsageException($"{textOnly.Name} is for text models; this is an image model (use --images)");
            var options = new EvalOptions(
                ImagesDirectory: parse.GetValue(images),
                Crops: Positive(parse.GetValue(crops), "--crops"),
                Runs: Positive(parse.GetValue(runs), "--runs"),
                Batch: Batch(parse.GetValue(batch)));
            var originalPath = parse.GetValue(original)!;
            var compressedPath = parse.GetValue(compressed)!;
            var overlap = Engine.Calibration.CalibrationOverlap.Find(compressedPath, EvalImageSet.Resolve(options.ImagesDirectory));
            if (overlap.Count > 0)
                context.Error.WriteLine($"alds: warning: {overlap.Count} evaluation images calibrated {Path.GetFileName(compressedPath)} " +
                    $"({string.Join(", ", overlap.Select(Path.GetFileName))}): not a held-out evaluation (use disjoint --images and --calibration folders)");
            var result = context.Interactive
                ? context.Console.Progress().Start(progress =>
                {
                    var task = progress.AddTask("comparing outputs");
                    return OnnxEvaluator.Evaluate(originalPath, compressedPath, options, new InlineProgress(p =>
                    {
                        task.MaxValue = p.total;
                        task.Value = p.done;
                        if (p.done == p.total) task.Description = $"timing ({options.Runs} runs each)";
                    }));
                })
                : OnnxEvaluator.Evaluate(originalPath, compressedPath, options);
            if (parse.GetValue(json)) WriteJson(context, result);
            else WriteTable(context, result, originalPath, compressedPath);
            return AldsApp.Success;
        });
        return command;
    }

    /// <summary>Reports on the evaluating thread (Progress&lt;T&gt; would post to the thread pool, after the bar is gone).</summary>
    private sealed class InlineProgress(Action<(int done, int total)> report) : IProgress<(int done, int total)>
    {
        public void Report((int done, int total) value) => report(value);
    }

    private static int Positive(int value, string name) => AtLeast(value, 1, name);

    /// <summary>A <c>--batch</c> value: 1 to <see cref="BatchedModel.MaxBatch"/>.</summary>
    internal static int Batch(int value) => value is >= 1 and <= BatchedModel.MaxBatch
        ? value : throw new UsageException($"--batch must be from 1 to {BatchedModel.MaxBatch}, got {value}");

    private static int AtLeast(int value, int least, string name) =>
        value >= least ? value : throw new UsageException($"{name} must be at least {least}, got {value}");

    private static int EvalText(CliContext context, ParseResult parse, TextEvalOptions options, string originalPath, string compressedPath, bool asJson)
    {
        var samples = TextEvaluator.Samples(originalPath, options);
        int overlap = Engine.Calibration.CalibrationOverlap.CountTexts(compressedPath, samples.Texts);
        if (overlap > 0)
            context.Error.WriteLine($"alds: warning: {overlap} of the {samples.Texts.Count} evaluation texts calibrated {Path.GetFileName(compressedPath)}: " +
                "not a held-out evaluation (calibration draws from the other end of the same seeded permutation: keep --samples plus --calibration-samples within the corpus, or use disjoint files)");
        var result = context.Interactive
            ? context.Console.Progress().Start(progress =>
            {
                var task = progress.AddTask("comparing outputs");
                return TextEvaluator.Evaluate(originalPath, compressedPath, samples, options, new InlineProgress(p =>
                {
                    task.MaxValue = p.total;
                    task.Value = p.done;
                    if (p.done == p.total) task.Description = $"timing ({options.Runs} runs each, batch 1 and {TextEvaluator.BatchSize})";
                }));
            })
            : TextEvaluator.Evaluate(originalPath, compressedPath, samples, options);
        if (asJson) TextEvalReport.WriteJson(context, result);
        else TextEvalReport.WriteTable(context, result, originalPath, compressedPath);
        return AldsApp.Success;
    }

    private static void WriteJson(CliContext context, EvalResult r) => JsonOutput.Write(context.Out, w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "image");
        w.WriteNumber("images", r.Images);
        Number(w, "rel_output_error", r.RelOutputError);
        Number(w, "cosine", r.Cosine);
        if (r.Top1Agreement is { } agreement) Number(w, "top1_agreement", agreement);
        else w.WriteNull("top1_agreement");
        w.WriteStartObject("latency_ms");
        Number(w, "original", r.Original.MedianMs);
        Number(w, "compressed", r.Compressed.MedianMs);
        w.WriteEndObject();
        w.WriteNumber("inputs", r.Inputs);
        Number(w, "max_rel_output_error", r.MaxRelOutputError);
        w.WriteStartObject("latency_p90_ms");
        Number(w, "original", r.Original.P90Ms);
        Number(w, "compressed", r.Compressed.P90Ms);
        w.WriteEndObject();
        w.WriteNumber("runs", r.Original.Runs);
        w.WriteNumber("batch", r.Batch);
        w.WriteString("preprocessing", r.Preprocessing);
        w.WriteEndObject();
    });

    /// <summary>JSON has no infinity: a relative error against an all-zero output is written as null.</summary>
    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>Adds a row of plain text: cells are escaped so brackets are not read as markup.</summary>
    internal static void Row(Table table, params string[] cells) => table.AddRow(cells.Select(Markup.Escape).ToArray());

    private static void WriteTable(CliContext context, EvalResult r, string originalPath, string compressedPath)
    {
        static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

        var accuracy = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        Row(accuracy, "inputs", $"{r.Inputs} ({r.Images} images x {r.Inputs / Math.Max(r.Images, 1)} crops)");
        Row(accuracy, "relative output error (mean)", F(r.RelOutputError, "G4"));
        Row(accuracy, "relative output error (max)", F(r.MaxRelOutputError, "G4"));
        Row(accuracy, "cosine similarity (mean)", F(r.Cosine, "F6"));
        Row(accuracy, "top-1 agreement", r.Top1Agreement is { } a ? F(a, "P1") : "n/a (output is not [1, C] class scores)");
        context.Console.Write(accuracy);

        var latency = new Table()
            .AddColumn("model")
            .AddColumn(new TableColumn("median ms").RightAligned())
            .AddColumn(new TableColumn("p90 ms").RightAligned());
        Row(latency, Path.GetFileName(originalPath), F(r.Original.MedianMs, "F2"), F(r.Original.P90Ms, "F2"));
        Row(latency, Path.GetFileName(compressedPath), F(r.Compressed.MedianMs, "F2"), F(r.Compressed.P90Ms, "F2"));
        Row(latency, "speed-up", F(r.Original.MedianMs / r.Compressed.MedianMs, "F2") + "x", "");
        context.Console.Write(latency);
        context.Console.WriteLine(
            $"CPU, batch {r.Batch}, {Environment.ProcessorCount} intra-op threads, {r.Original.Runs} timed runs each; preprocessing: {r.Preprocessing}");
    }
}
