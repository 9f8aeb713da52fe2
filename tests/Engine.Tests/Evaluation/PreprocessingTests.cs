using Alds.Engine.Evaluation;
using Onnx;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>
/// The companion ResNetPreprocess.onnx is checked against a hand computation from its mean image read with OnnxSharp:
/// output[c, y, x] = input[2 − c, y, x] − mean[c, y, x] (RGB in, BGR out).
/// </summary>
public class PreprocessingTests
{
    private static string Companion => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(EvalTestFiles.ResNet18)!)!,
        "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    private static float[] MeanImage()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Companion));
        var mean = model.Graph.Initializer.Single(t => t.Name == "MeanImage");
        Assert.That(mean.Dims, Is.EqualTo(new long[] { 1, 3, 224, 224 }));
        return mean.FloatData.ToArray();
    }

    [Test]
    public void FindCompanion_EmbeddedResNet18_FindsTheSiblingPreprocessModel()
    {
        var input = new TensorSignature("Input247", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 3, 224, 224]);
        Assert.That(OnnxPreprocessor.FindCompanion(EvalTestFiles.ResNet18, input), Is.EqualTo(Path.GetFullPath(Companion)));
    }

    [Test]
    public void FindCompanion_OtherModel_Null()
    {
        var input = new TensorSignature("x", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 3, 224, 224]);
        Assert.That(OnnxPreprocessor.FindCompanion("/tmp/other/model.onnx", input), Is.Null);
    }

    [Test]
    public void Apply_Companion_IsBgrMinusMeanImage()
    {
        var rng = new Random(5);
        var rgb = new float[3 * 224 * 224];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (float)(rng.NextDouble() * 255);
        using var options = EvalSession.CreateOptions();
        using var preprocessor = OnnxPreprocessor.Open(Companion, options, 224, 224);
        var output = preprocessor.Apply(rgb, 224, 224);
        var mean = MeanImage();
        const int plane = 224 * 224;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i += 97)
                Assert.That(output[c * plane + i], Is.EqualTo(rgb[(2 - c) * plane + i] - mean[c * plane + i]).Within(1e-4));
    }

    [Test]
    public void Pipeline_OneImage_MatchesHandComputedPixels()
    {
        // A 224×224 image cropped whole and resized to 224×224 is unchanged, so the model input is the PNG's bytes
        // in BGR order minus the mean image.
        using var files = new EvalTestFiles();
        var path = files.PathOf("photo.png");
        static (byte r, byte g, byte b) Pixel(int y, int x) => ((byte)((3 * x + y) % 256), (byte)((x * y) % 251), (byte)(255 - y));
        PngWriter.WriteRgb(path, 224, 224, Pixel);

        var image = ImageDecoder.Load(path);
        using var options = EvalSession.CreateOptions();
        using var preprocessor = OnnxPreprocessor.Open(Companion, options, 224, 224);
        var input = preprocessor.Apply(BilinearResize.CropResize(image, new CropWindow(0, 0, 224), 224, 224), 224, 224);

        var mean = MeanImage();
        foreach (var (y, x) in new[] { (0, 0), (100, 37), (17, 200), (223, 223) })
        {
            var (r, g, b) = Pixel(y, x);
            float[] bgr = [b, g, r];
            for (int c = 0; c < 3; c++)
            {
                int i = (c * 224 + y) * 224 + x;
                Assert.That(input[i], Is.EqualTo(bgr[c] - mean[i]).Within(1e-4), $"channel {c} at ({y}, {x})");
            }
        }
    }

    [Test]
    public void Apply_ImageNetNormalization_MatchesHandValues()
    {
        // One pixel: R = 255, G = 0, B = 128.
        var output = new ImageNetNormalization().Apply([255f, 0f, 128f], 1, 1);
        Assert.That(output[0], Is.EqualTo((1.0 - 0.485) / 0.229).Within(1e-5));
        Assert.That(output[1], Is.EqualTo((0.0 - 0.456) / 0.224).Within(1e-5));
        Assert.That(output[2], Is.EqualTo((128.0 / 255 - 0.406) / 0.225).Within(1e-5));
    }
}
