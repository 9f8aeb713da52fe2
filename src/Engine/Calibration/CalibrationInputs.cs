using Alds.Engine.Evaluation;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Calibration;

/// <summary>The model runs of a calibration (<see cref="CalibrationFeed"/>), and what they are (<see cref="Set"/>).</summary>
public sealed record CalibrationInputs(CalibrationSet Set, IReadOnlyList<CalibrationFeed> Feeds, ModelKind Kind)
{
    /// <summary>Texts per model run: batches of similar length, little padding, activations of a few MB per layer.</summary>
    public const int TextBatch = 16;

    /// <summary>
    /// Image models: decodes the images (skipping, with a warning, those that cannot be), cuts <see cref="CalibrationOptions.Samples"/>
    /// crops and preprocesses them exactly as <c>alds eval</c> does (companion model or ImageNet normalisation), one run each.
    /// Text models: the texts and tokenisation of <c>alds eval</c> (<see cref="TextSamples"/>), taken from the other end of
    /// the same seeded permutation, in padded batches of <see cref="TextBatch"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">
    /// The model is neither an image nor a text model; the option of the other kind was given; no image decodes; no
    /// vocabulary or no text.
    /// </exception>
    public static CalibrationInputs Prepare(string modelPath, CalibrationOptions options, Action<string>? warn)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Samples, 1);
        var kind = ModelKinds.DetectFile(modelPath);
        if (kind == ModelKind.Text)
        {
            if (options.ImagesDirectory is not null)
                throw new ModelFormatException($"{modelPath}: a text model is calibrated on texts: use --calibration-texts FILE (or --calibration alone for {TextCorpus.Describe(null)})");
            return PrepareTexts(modelPath, options);
        }
        if (options.TextsFile is not null || options.Vocab is not null)
            throw new ModelFormatException($"{modelPath}: an image model is calibrated on images: --calibration-texts and --vocab are for text models");
        using var sessionOptions = EvalSession.CreateOptions();
        using var model = EvalSession.Open(modelPath, sessionOptions);
        var images = ImageSamples.Load(EvalImageSet.Resolve(options.ImagesDirectory), warn);
        using var preprocessor = OnnxEvaluator.CreatePreprocessor(model, new EvalOptions(ImagesDirectory: options.ImagesDirectory), sessionOptions);
        int h = model.InputHeight, w = model.InputWidth;
        var name = model.Signature.Inputs[0].Name;
        var dims = model.InputShape.Select(d => (int)d).ToArray();
        var feeds = ImageSamples.Crops(images, options.Samples, options.Seed)
            .Select(s => preprocessor.Apply(BilinearResize.CropResize(s.image.Image, s.crop, w, h), h, w))
            .Select(x => new CalibrationFeed([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(x, dims))], null)).ToArray();
        var set = new CalibrationSet(options.ImagesDirectory ?? EvalImageSet.DefaultDirectory,
            images.Select(i => (Path.GetFileName(i.Path), i.ContentHash)).ToArray(), options.Samples, options.Seed, preprocessor.Description);
        return new CalibrationInputs(set, feeds, kind);
    }

    private static CalibrationInputs PrepareTexts(string modelPath, CalibrationOptions options)
    {
        var samples = TextSamples.Prepare(modelPath, options.TextsFile, options.Vocab, options.Samples, maxLength: null, lowercase: null,
            TextCorpus.DefaultSeed, CorpusEnd.Tail, 1, "calibration needs at least one");
        TextInputs inputs;
        using (var sessionOptions = EvalSession.CreateOptions())
        using (var session = TextSession.Open(modelPath, sessionOptions)) inputs = session.Inputs;
        var order = samples.ByLength();
        var feeds = new List<CalibrationFeed>();
        for (int start = 0; start < order.Length; start += TextBatch)
        {
            var batch = TokenBatch.Pad(order[start..Math.Min(start + TextBatch, order.Length)].Select(i => samples.Tokens[i]).ToList(), samples.Tokenizer.PadId);
            feeds.Add(new CalibrationFeed(TextSession.Feed(inputs, batch), batch));
        }
        var tokenizer = samples.Tokenizer;
        var vocabHash = System.IO.Hashing.XxHash64.HashToUInt64(File.ReadAllBytes(tokenizer.VocabPath));
        var preprocessing = $"WordPiece {Path.GetFileName(tokenizer.VocabPath)} (xxhash64 {vocabHash:x16}), " +
            $"{(tokenizer.Lowercase ? "lower-cased" : "cased")}, at most {tokenizer.MaxLength} tokens";
        var set = new CalibrationSet(samples.Source, [], samples.Texts.Count, TextCorpus.DefaultSeed, preprocessing)
        {
            Texts = samples.Texts.Select(TextCorpus.ContentHash).ToArray(),
            Tokens = samples.Tokens.Sum(t => (long)t.Length),
        };
        return new CalibrationInputs(set, feeds, ModelKind.Text);
    }
}
