using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Evaluation;

/// <summary>
/// Runs an original and a compressed ONNX model (ONNX Runtime, CPU, same session options) on the same
/// preprocessed image crops and compares their outputs; then times both, batch 1.
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

        using var sessionOptions = EvalSession.CreateOptions();
        using var original = EvalSession.Open(originalPath, sessionOptions);
        using var compressed = EvalSession.Open(compressedPath, sessionOptions);
        var difference = original.Signature.DifferenceFrom(compressed.Signature);
        if (difference is not null)
            throw new ModelFormatException($"{originalPath} and {compressedPath} do not match: {difference}");

        var images = EvalImageSet.Resolve(options.ImagesDirectory);
        using var preprocessor = CreatePreprocessor(original, options, sessionOptions);
        int height = original.InputHeight, width = original.InputWidth;

        int total = images.Count * options.Crops, done = 0, agreements = 0;
        bool? classScores = null;
        double sumError = 0, maxError = 0, sumCosine = 0;
        float[]? firstInput = null;
        foreach (var path in images)
        {
            var image = ImageDecoder.Load(path);
            foreach (var crop in RandomCrops.Generate(image.Width, image.Height, options.Crops, options.Seed, Path.GetFileName(path)))
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report((done, total));
                var input = preprocessor.Apply(BilinearResize.CropResize(image, crop, width, height), height, width);
                firstInput ??= input;
                var y = original.Run(input);
                var yHat = compressed.Run(input);
                var flatY = Flatten(y, originalPath, path);
                var flatYHat = Flatten(yHat, compressedPath, path);
                if (flatY.Length != flatYHat.Length)
                    throw new ModelFormatException(
                        $"{originalPath} and {compressedPath} do not match: {flatY.Length} vs {flatYHat.Length} output values on image {Path.GetFileName(path)}");

                double error = OutputMetrics.RelativeError(flatY, flatYHat);
                sumError += error;
                maxError = Math.Max(maxError, error);
                sumCosine += OutputMetrics.Cosine(flatY, flatYHat);
                classScores ??= OutputMetrics.IsClassScores(y.Shapes[0]);
                if (classScores == true && OutputMetrics.ArgMax(y.Values[0]) == OutputMetrics.ArgMax(yHat.Values[0]))
                    agreements++;
                done++;
            }
        }
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
            preprocessor.Description);
    }

    internal static IInputPreprocessor CreatePreprocessor(EvalSession original, EvalOptions options, SessionOptions sessionOptions)
    {
        var companion = options.PreprocessModel ?? OnnxPreprocessor.FindCompanion(original.Path, original.Signature.Inputs[0]);
        return companion is null
            ? new ImageNetNormalization()
            : OnnxPreprocessor.Open(companion, sessionOptions, original.InputHeight, original.InputWidth);
    }

    /// <summary>Warm-up, then timed runs alternating between the models (and which goes first) so drift hits both alike.</summary>
    private static (LatencyStats original, LatencyStats compressed) TimeBoth(
        EvalSession original, EvalSession compressed, float[] input, EvalOptions options, CancellationToken cancel)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, original.InputShape);
        for (int i = 0; i < options.WarmupRuns; i++)
        {
            original.RunDiscard(value);
            compressed.RunDiscard(value);
        }
        var a = new double[options.Runs];
        var b = new double[options.Runs];
        for (int i = 0; i < options.Runs; i++)
        {
            cancel.ThrowIfCancellationRequested();
            if (i % 2 == 0)
            {
                a[i] = Time(original, value);
                b[i] = Time(compressed, value);
            }
            else
            {
                b[i] = Time(compressed, value);
                a[i] = Time(original, value);
            }
        }
        return (LatencyStats.FromSamples(a), LatencyStats.FromSamples(b));
    }

    private static double Time(EvalSession session, OrtValue input)
    {
        long start = Stopwatch.GetTimestamp();
        session.RunDiscard(input);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static float[] Flatten(ModelOutputs outputs, string modelPath, string imagePath)
    {
        var flat = outputs.Values.Length == 1 ? outputs.Values[0] : outputs.Values.SelectMany(v => v).ToArray();
        foreach (var v in flat)
            if (!float.IsFinite(v))
                throw new ModelFormatException($"{modelPath}: non-finite output on image {Path.GetFileName(imagePath)}");
        return flat;
    }
}
