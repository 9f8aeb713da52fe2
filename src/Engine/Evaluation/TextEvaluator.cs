using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Evaluation;

/// <summary>
/// Runs an original and a compressed text model (ONNX Runtime, CPU, same session options) on the same tokenised
/// texts and compares their outputs and mean-pooled embeddings; then times both at batch 1 and batch 32.
/// </summary>
public static class TextEvaluator
{
    /// <summary>Texts per batch when comparing outputs, and the larger timed batch.</summary>
    public const int BatchSize = 32;

    /// <summary>Default token limit (<see cref="TextSamples.DefaultMaxLength"/>).</summary>
    public const int DefaultMaxLength = TextSamples.DefaultMaxLength;

    /// <summary>Timed batch-32 runs per model: a quarter of the batch-1 runs, at least 3.</summary>
    internal static int Batch32Runs(int runs) => Math.Max(3, runs / 4);

    /// <exception cref="ModelFormatException">
    /// No vocabulary or texts, a model cannot be loaded or has no token inputs, the two differ in inputs or outputs,
    /// or an output is not finite.
    /// </exception>
    public static TextEvalResult Evaluate(string originalPath, string compressedPath, TextEvalOptions options,
        IProgress<(int done, int total)>? progress = null, CancellationToken cancel = default) =>
        Evaluate(originalPath, compressedPath, Samples(originalPath, options), options, progress, cancel);

    /// <summary>The texts <see cref="Evaluate(string, string, TextEvalOptions, IProgress{ValueTuple{int, int}}?, CancellationToken)"/> runs on.</summary>
    /// <exception cref="ModelFormatException">No vocabulary, fewer than two texts, or a token limit above the model's positions.</exception>
    public static TextSamples Samples(string originalPath, TextEvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Samples, 2);
        return TextSamples.Prepare(originalPath, options.TextsFile, options.Vocab, options.Samples, options.MaxLength, options.Lowercase,
            options.Seed, CorpusEnd.Head, 2, "eval needs at least two (nearest neighbours)");
    }

    /// <summary>Evaluates on texts prepared by <see cref="Samples"/>.</summary>
    /// <exception cref="ModelFormatException">
    /// A model cannot be loaded or has no token inputs, the two differ in inputs or outputs, or an output is not finite.
    /// </exception>
    public static TextEvalResult Evaluate(string originalPath, string compressedPath, TextSamples samples, TextEvalOptions options,
        IProgress<(int done, int total)>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Runs, 1);

        using var sessionOptions = EvalSession.CreateOptions();
        using var original = TextSession.Open(originalPath, sessionOptions);
        using var compressed = TextSession.Open(compressedPath, sessionOptions);
        var difference = original.Signature.DifferenceFrom(compressed.Signature);
        if (difference is not null)
            throw new ModelFormatException($"{originalPath} and {compressedPath} do not match: {difference}");

        var texts = samples.Texts;
        var tokenizer = samples.Tokenizer;
        var tokens = samples.Tokens;
        int maxLength = tokenizer.MaxLength;
        var vocab = tokenizer.VocabPath;

        // Batches of texts of similar length (sorted by token count) waste little on padding; results are per text.
        var order = samples.ByLength();
        var embedA = new double[texts.Count][];
        var embedB = new double[texts.Count][];
        double sumError = 0, maxError = 0, sumCosine = 0, minCosine = double.PositiveInfinity;
        string embedding = "";
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report((start, tokens.Count));
            var members = order[start..Math.Min(start + BatchSize, order.Length)];
            var batch = members.Select(i => tokens[i]).ToList();
            var feed = original.Feed(batch, tokenizer.PadId);
            var y = original.Run(feed);
            var yHat = compressed.Run(feed);
            for (int b = 0; b < batch.Count; b++)
            {
                var rowY = Row(y, b, batch.Count, batch[b].Length, originalPath);
                var rowYHat = Row(yHat, b, batch.Count, batch[b].Length, compressedPath);
                if (rowY.Length != rowYHat.Length)
                    throw new ModelFormatException($"{originalPath} and {compressedPath} do not match: {rowY.Length} vs {rowYHat.Length} output values for one text");
                double error = OutputMetrics.RelativeError(rowY, rowYHat);
                sumError += error;
                maxError = Math.Max(maxError, error);
                (var a, embedding) = Embed(y, b, batch[b].Length);
                var (c, _) = Embed(yHat, b, batch[b].Length);
                double cosine = EmbeddingMetrics.Cosine(a, c);
                sumCosine += cosine;
                minCosine = Math.Min(minCosine, cosine);
                embedA[members[b]] = a;
                embedB[members[b]] = c;
            }
        }
        progress?.Report((tokens.Count, tokens.Count));
        double agreement = EmbeddingMetrics.NearestNeighbourAgreement(embedA, embedB);

        var one = original.Feed([tokens[0]], tokenizer.PadId);
        var many = original.Feed(tokens.Take(BatchSize).ToList(), tokenizer.PadId);
        var batch1 = TimeBoth(original, compressed, one, options.Runs, options.WarmupRuns, cancel);
        var batch32 = TimeBoth(original, compressed, many, Batch32Runs(options.Runs), Math.Min(options.WarmupRuns, 1), cancel);
        int n = texts.Count;
        return new TextEvalResult(n, sumError / n, maxError, sumCosine / n, minCosine, agreement, embedding, batch1, batch32,
            maxLength, tokenizer.Lowercase, vocab, samples.Source);
    }

    /// <summary>
    /// The embedding of text <paramref name="b"/>: the mean over its own tokens of the first <c>[batch, sequence, hidden]</c>
    /// output, else the first <c>[batch, hidden]</c> output as it is.
    /// </summary>
    private static (double[] Embedding, string How) Embed(ModelOutputs outputs, int b, int tokens)
    {
        for (int i = 0; i < outputs.Shapes.Length; i++)
        {
            var s = outputs.Shapes[i];
            if (s.Length != 3) continue;
            int seq = (int)s[1], hidden = (int)s[2];
            return (EmbeddingMetrics.MeanPool(outputs.Values[i].AsSpan(b * seq * hidden, seq * hidden), tokens, hidden),
                $"output {i} [batch, sequence, {hidden}] mean-pooled over each text's tokens");
        }
        for (int i = 0; i < outputs.Shapes.Length; i++)
        {
            var s = outputs.Shapes[i];
            if (s.Length != 2) continue;
            int hidden = (int)s[1];
            return (outputs.Values[i].AsSpan(b * hidden, hidden).ToArray().Select(v => (double)v).ToArray(), $"output {i} [batch, {hidden}]");
        }
        throw new ModelFormatException("no output is [batch, sequence, hidden] or [batch, hidden]: no embedding to compare");
    }

    /// <summary>Every output's values for text <paramref name="b"/> (token outputs over its own tokens), concatenated.</summary>
    private static float[] Row(ModelOutputs outputs, int b, int batch, int tokens, string path)
    {
        var row = new List<float>();
        for (int i = 0; i < outputs.Values.Length; i++)
        {
            var s = outputs.Shapes[i];
            if (s.Length == 0 || s[0] != batch)
                throw new ModelFormatException($"{path}: output {i} has shape [{string.Join(", ", s)}], not [batch, ...]");
            long per = outputs.Values[i].Length / batch;
            long take = s.Length == 3 ? tokens * s[2] : per;
            var span = outputs.Values[i].AsSpan((int)(b * per), (int)take);
            foreach (var v in span)
                if (!float.IsFinite(v)) throw new ModelFormatException($"{path}: non-finite output");
            row.AddRange(span);
        }
        return [.. row];
    }

    /// <summary>Warm-up, then timed runs alternating between the models (and which goes first) so drift hits both alike.</summary>
    private static (LatencyStats, LatencyStats) TimeBoth(TextSession original, TextSession compressed,
        IReadOnlyCollection<NamedOnnxValue> feed, int runs, int warmup, CancellationToken cancel)
    {
        var (a, b) = AlternatedTiming.Run(() => original.RunDiscard(feed), () => compressed.RunDiscard(feed), warmup, runs, cancel);
        return (LatencyStats.FromSamples(a), LatencyStats.FromSamples(b));
    }
}
