using System.Globalization;
using Alds.Engine.Evaluation;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary>The output of <c>alds eval</c> for a text model: a table, or one JSON object.</summary>
internal static class TextEvalReport
{
    public static void WriteJson(CliContext context, TextEvalResult r) => JsonOutput.Write(context.Out, w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "text");
        w.WriteNumber("texts", r.Texts);
        EvalCommand.Number(w, "rel_output_error", r.RelOutputError);
        EvalCommand.Number(w, "cosine", r.Cosine);
        EvalCommand.Number(w, "cosine_min", r.CosineMin);
        EvalCommand.Number(w, "nn_agreement", r.NnAgreement);
        Latency(w, "latency_ms", r.Batch1.Original.MedianMs, r.Batch1.Compressed.MedianMs);
        Latency(w, "latency_p90_ms", r.Batch1.Original.P90Ms, r.Batch1.Compressed.P90Ms);
        Latency(w, "latency_batch32_ms", r.Batch32.Original.MedianMs, r.Batch32.Compressed.MedianMs);
        Latency(w, "latency_batch32_p90_ms", r.Batch32.Original.P90Ms, r.Batch32.Compressed.P90Ms);
        EvalCommand.Number(w, "max_rel_output_error", r.MaxRelOutputError);
        w.WriteNumber("runs", r.Batch1.Original.Runs);
        w.WriteNumber("runs_batch32", r.Batch32.Original.Runs);
        w.WriteNumber("max_length", r.MaxLength);
        w.WriteBoolean("lowercase", r.Lowercase);
        w.WriteString("vocab", r.Vocab);
        w.WriteString("corpus", r.Corpus);
        w.WriteString("embedding", r.Embedding);
        w.WriteEndObject();
    });

    private static void Latency(System.Text.Json.Utf8JsonWriter w, string name, double original, double compressed)
    {
        w.WriteStartObject(name);
        EvalCommand.Number(w, "original", original);
        EvalCommand.Number(w, "compressed", compressed);
        w.WriteEndObject();
    }

    public static void WriteTable(CliContext context, TextEvalResult r, string originalPath, string compressedPath)
    {
        static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

        var accuracy = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        EvalCommand.Row(accuracy, "texts", $"{r.Texts} ({r.Corpus})");
        EvalCommand.Row(accuracy, "relative output error (mean)", F(r.RelOutputError, "G4"));
        EvalCommand.Row(accuracy, "relative output error (max)", F(r.MaxRelOutputError, "G4"));
        EvalCommand.Row(accuracy, "embedding cosine (mean)", F(r.Cosine, "F6"));
        EvalCommand.Row(accuracy, "embedding cosine (worst)", F(r.CosineMin, "F6"));
        EvalCommand.Row(accuracy, "nearest-neighbour agreement", F(r.NnAgreement, "P1"));
        context.Console.Write(accuracy);

        var latency = new Table().AddColumn("model")
            .AddColumn(new TableColumn("batch 1 median ms").RightAligned()).AddColumn(new TableColumn("p90").RightAligned())
            .AddColumn(new TableColumn($"batch {TextEvaluator.BatchSize} median ms").RightAligned()).AddColumn(new TableColumn("p90").RightAligned());
        EvalCommand.Row(latency, Path.GetFileName(originalPath), F(r.Batch1.Original.MedianMs, "F2"), F(r.Batch1.Original.P90Ms, "F2"),
            F(r.Batch32.Original.MedianMs, "F2"), F(r.Batch32.Original.P90Ms, "F2"));
        EvalCommand.Row(latency, Path.GetFileName(compressedPath), F(r.Batch1.Compressed.MedianMs, "F2"), F(r.Batch1.Compressed.P90Ms, "F2"),
            F(r.Batch32.Compressed.MedianMs, "F2"), F(r.Batch32.Compressed.P90Ms, "F2"));
        EvalCommand.Row(latency, "speed-up", F(r.Batch1.Original.MedianMs / r.Batch1.Compressed.MedianMs, "F2") + "x", "",
            F(r.Batch32.Original.MedianMs / r.Batch32.Compressed.MedianMs, "F2") + "x", "");
        context.Console.Write(latency);
        context.Console.WriteLine(
            $"CPU, {Environment.ProcessorCount} intra-op threads, {r.Batch1.Original.Runs} (batch 1) and {r.Batch32.Original.Runs} (batch {TextEvaluator.BatchSize}) timed runs each; embedding: {r.Embedding}; " +
            $"WordPiece {(r.Lowercase ? "lower-cased" : "cased")}, at most {r.MaxLength} tokens, vocabulary {r.Vocab}");
    }
}
