using Alds.Engine.Evaluation;

namespace Alds.Engine.Calibration;

/// <summary>The preprocessed model inputs of a calibration, [1, 3, H, W] each, and what they are (<see cref="Set"/>).</summary>
public sealed record CalibrationInputs(CalibrationSet Set, IReadOnlyList<float[]> Inputs, long[] Shape)
{
    /// <summary>
    /// Decodes the images (skipping, with a warning, those that cannot be), cuts <see cref="CalibrationOptions.Samples"/> crops
    /// and preprocesses them exactly as <c>alds eval</c> does for <paramref name="modelPath"/> (companion model or ImageNet normalisation).
    /// </summary>
    /// <exception cref="ModelFormatException">The model has no single image input, or no image decodes.</exception>
    public static CalibrationInputs Prepare(string modelPath, CalibrationOptions options, Action<string>? warn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Samples, 1);
        using var sessionOptions = EvalSession.CreateOptions();
        using var model = EvalSession.Open(modelPath, sessionOptions);
        var images = ImageSamples.Load(EvalImageSet.Resolve(options.ImagesDirectory), warn);
        using var preprocessor = OnnxEvaluator.CreatePreprocessor(model, new EvalOptions(ImagesDirectory: options.ImagesDirectory), sessionOptions);
        int h = model.InputHeight, w = model.InputWidth;
        var inputs = ImageSamples.Crops(images, options.Samples, options.Seed)
            .Select(s => preprocessor.Apply(BilinearResize.CropResize(s.image.Image, s.crop, w, h), h, w)).ToArray();
        var set = new CalibrationSet(options.ImagesDirectory ?? EvalImageSet.DefaultDirectory,
            images.Select(i => (Path.GetFileName(i.Path), i.ContentHash)).ToArray(), options.Samples, options.Seed, preprocessor.Description);
        return new CalibrationInputs(set, inputs, model.InputShape);
    }
}
