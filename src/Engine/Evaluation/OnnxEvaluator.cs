using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Evaluation;

/// <summary>
/// Runs an original and a compressed ONNX model (ONNX Runtime, CPU, same session options) on the same
/// preprocessed image crops (<see cref="EvalOptions.Batch"/> crops stacked per run) and compares their outputs
/// crop by crop; then times both at that batch.
/// </summary>
public static class OnnxEvaluator
{
    /// <exception cref="ModelFormatException">
    /// A model cannot be loaded, the two differ in input/output names or shapes, no image is found, an image cannot be
    /// decoded, or an output is not finite.
    /// </exception>
    public static EvalResult Evaluate(string originalPath, string compressedPath, EvalOptions options,
        IProgress<(int done, int total)>? progress = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Crops, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.WarmupRuns);

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Batch, 1);

        using var sessionOptions = EvalSession.CreateOptions();
        using var original = EvalSession.Open(originalPath, sessionOptions, options.Batch);
        using var compressed = EvalSession.Open(compressedPath, sessionOptions, options.Batch);
        var difference = original.Signature.DifferenceFrom(compressed.Signature);
        if (difference is not null)
            throw new ModelFormatException($"{originalPath} and {compressedPath} do not match: {difference}");

        var images = EvalImageSet.Resolve(options.ImagesDirectory);
        using var preprocessor = CreatePreprocessor(original, options, sessionOptions);
        int height = original.InputHeight, width = original.InputWidth, batch = options.Batch;

        int total = images.Count * options.Crops, done = 0, agreements = 0;
        bool? classScores = null;
        double sumError = 0, maxError = 0, sumCosine = 0;
        float[]? firstInput = null;
        var pending = new List<(float[] Input, string Image)>(batch);
        void Compare()
        {
            // the crops stacked into one batch (a last, partial batch repeats its last crop; those rows are not scored)
            int per = pending[0].Input.Length;
            var stacked = new float[(long)per * batch];
            for (int r = 0; r < batch; r++) pending[Math.Min(r, pending.Count - 1)].Input.CopyTo(stacked, (long)r * per);
            firstInput ??= stacked;
            var y = original.Run(stacked);
            var yHat = compressed.Run(stacked);
            for (int r = 0; r < pending.Count; r++)
            {
                string image = pending[r].Image;
                var flatY = Row(y, r, batch, originalPath, image);
                var flatYHat = Row(yHat, r, batch, compressedPath, image);
                if (flatY.Length != flatYHat.Length)
                    throw new ModelFormatException(
                        $"{originalPath} and {compressedPath} do not match: {flatY.Length} vs {flatYHat.Length} output values on image {Path.GetFileName(image)}");

                double error = OutputMetrics.RelativeError(flatY, flatYHat);
                sumError += error;
                maxError = Math.Max(maxError, error);
                sumCosine += OutputMetrics.Cosine(flatY, flatYHat);
                classScores ??= OutputMetrics.IsClassScores([1, .. y.Shapes[0].Skip(1)]);
                if (classScores == true && OutputMetrics.ArgMax(RowOf(y, 0, r, batch)) == OutputMetrics.ArgMax(RowOf(yHat, 0, r, batch)))
                    agreements++;
                done++;
            }
            pending.Clear();
        }
        foreach (var path in images)
        {
            var image = ImageDecoder.Load(path);
            foreach (var crop in RandomCrops.Generate(image.Width, image.Height, options.Crops, options.Seed, Path.GetFileName(path)))
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report((done, total));
                pending.Add((preprocessor.Apply(BilinearResize.CropResize(image, crop, width, height), height, width), path));
                if (pending.Count == batch) Compare();
            }
        }
        if (pending.Count > 0) Compare();
        progress?.Report((done, total));

        var (originalLatency, compressedLatency) = TimeBoth(original, compressed, firstInput!, options, cancel);
        return new EvalResult(
            images.Count,
            sumError / done,
            maxError,
            sumCosine / done,
            classScores == true ? (double)agreements / done : null,
            originalLatency,
            compressedLatency,
            done,
            preprocessor.Description,
            batch);
    }

    internal static IInputPreprocessor CreatePreprocessor(EvalSession original, EvalOptions options, SessionOptions sessionOptions)
    {
        // the companion is found by the model's own input (batch 1), whatever batch the session runs at
        var input = original.Signature.Inputs[0];
        if (original.Batch > 1) input = input with { Dimensions = [1, .. input.Dimensions.Skip(1)] };
        var companion = options.PreprocessModel ?? OnnxPreprocessor.FindCompanion(original.Path, input);
        return companion is null
            ? new ImageNetNormalization()
            : OnnxPreprocessor.Open(companion, sessionOptions, original.InputHeight, original.InputWidth);
    }

    /// <summary>Warm-up, then timed runs alternating between the models (and which goes first) so drift hits both alike.</summary>
    private static (LatencyStats original, LatencyStats compressed) TimeBoth(
        EvalSession original, EvalSession compressed, float[] input, EvalOptions options, CancellationToken cancel)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, original.InputShape);
        var (a, b) = AlternatedTiming.Run(() => original.RunDiscard(value), () => compressed.RunDiscard(value),
            options.WarmupRuns, options.Runs, cancel);
        return (LatencyStats.FromSamples(a), LatencyStats.FromSamples(b));
    }

    /// <summary>Input <paramref name="row"/>'s outputs, concatenated in the model's order (each output is [batch, …]).</summary>
    private static float[] Row(ModelOutputs outputs, int row, int batch, string modelPath, string imagePath)
    {
        var flat = outputs.Values.Length == 1 && batch == 1 ? outputs.Values[0]
            : Enumerable.Range(0, outputs.Values.Length).SelectMany(i => RowOf(outputs, i, row, batch, modelPath)).ToArray();
        foreach (var v in flat)
            if (!float.IsFinite(v))
                throw new ModelFormatException($"{modelPath}: non-finite output on image {Path.GetFileName(imagePath)}");
        return flat;
    }

    private static float[] RowOf(ModelOutputs outputs, int output, int row, int batch, string? modelPath = null)
    {
        var values = outputs.Values[output];
        if (batch == 1) return values;
        var shape = outputs.Shapes[output];
        if (shape.Length == 0 || shape[0] != batch)
            throw new ModelFormatException($"{modelPath}: output {output} has shape [{string.Join(", ", shape)}], not [{batch}, …] at batch {batch}");
        int per = values.Length / batch;
        return values.AsSpan(row * per, per).ToArray();
    }
}
