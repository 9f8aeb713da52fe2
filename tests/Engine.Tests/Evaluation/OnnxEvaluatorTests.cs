using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>
/// End-to-end runs in ONNX Runtime. Tiny classifiers have closed forms (y is linear in the weights); the real
/// ResNet18 is checked against itself and against a copy whose first conv weight is scaled by 1.01.
/// </summary>
public class OnnxEvaluatorTests
{
    private static readonly float[,] Weights = { { 1f, -0.5f, 0.2f }, { 0.3f, 1f, -0.7f }, { -0.4f, 0.1f, 1f }, { 0.6f, 0.6f, -0.9f } };
    private static readonly EvalOptions Quick = new(Crops: 2, Runs: 2, WarmupRuns: 1);

    private EvalTestFiles _files = null!;
    private string _images = null!;

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        _files = new EvalTestFiles();
        _images = _files.ImageFolder();
    }

    [OneTimeTearDown] public void OneTimeTearDown() => _files.Dispose();

    private string Tiny(string name, float[,] weights, string input = "x", bool flatten = true)
    {
        var path = _files.PathOf(name);
        TinyOnnxModels.WriteClassifier(path, weights, inputName: input, flatten: flatten);
        return path;
    }

    private static float[,] Map(float[,] w, Func<float, float> f)
    {
        var result = (float[,])w.Clone();
        for (int i = 0; i < w.GetLength(0); i++)
            for (int j = 0; j < w.GetLength(1); j++) result[i, j] = f(w[i, j]);
        return result;
    }

    [Test]
    public void Evaluate_TinyClassifierAgainstItself_NoErrorFullAgreement()
    {
        var model = Tiny("same.onnx", Weights);
        var r = OnnxEvaluator.Evaluate(model, model, Quick with { ImagesDirectory = _images });
        Assert.That(r.Images, Is.EqualTo(2));
        Assert.That(r.Inputs, Is.EqualTo(4));
        Assert.That(r.RelOutputError, Is.EqualTo(0));
        Assert.That(r.MaxRelOutputError, Is.EqualTo(0));
        Assert.That(r.Cosine, Is.EqualTo(1).Within(1e-12));
        Assert.That(r.Top1Agreement, Is.EqualTo(1));
        Assert.That(r.Preprocessing, Does.Contain("ImageNet"));
        Assert.That(r.Original.Runs, Is.EqualTo(2));
        Assert.That(r.Compressed.MedianMs, Is.GreaterThan(0));
    }

    [Test]
    public void Evaluate_WeightsScaledByOnePercent_ErrorIsOnePercentCosineOne()
    {
        var r = OnnxEvaluator.Evaluate(Tiny("w.onnx", Weights), Tiny("w101.onnx", Map(Weights, v => v * 1.01f)),
            Quick with { ImagesDirectory = _images });
        // y is linear in W: ŷ = 1.01 y up to float32 rounding of the weights and the sums.
        Assert.That(r.RelOutputError, Is.EqualTo(0.01).Within(1e-5));
        Assert.That(r.MaxRelOutputError, Is.EqualTo(0.01).Within(1e-5));
        Assert.That(r.Cosine, Is.EqualTo(1).Within(1e-6));
        Assert.That(r.Top1Agreement, Is.EqualTo(1));
    }

    [Test]
    public void Evaluate_NegatedWeights_ErrorTwoCosineMinusOneNoAgreement()
    {
        var r = OnnxEvaluator.Evaluate(Tiny("p.onnx", Weights), Tiny("n.onnx", Map(Weights, v => -v)),
            Quick with { ImagesDirectory = _images });
        Assert.That(r.RelOutputError, Is.EqualTo(2).Within(1e-6));
        Assert.That(r.Cosine, Is.EqualTo(-1).Within(1e-6));
        Assert.That(r.Top1Agreement, Is.EqualTo(0), "arg-max of −y is the arg-min of y");
    }

    [Test]
    public void Evaluate_FeatureMapOutput_Top1IsNull()
    {
        var model = Tiny("features.onnx", Weights, flatten: false);
        var r = OnnxEvaluator.Evaluate(model, model, Quick with { ImagesDirectory = _images });
        Assert.That(r.Top1Agreement, Is.Null);
    }

    [Test]
    public void Evaluate_DifferentOutputShapes_ThrowsNamingBothFiles()
    {
        var a = Tiny("four.onnx", Weights);
        var b = Tiny("three.onnx", new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        var e = Assert.Throws<ModelFormatException>(() => OnnxEvaluator.Evaluate(a, b, Quick with { ImagesDirectory = _images }));
        Assert.That(e!.Message, Does.Contain(a).And.Contain(b).And.Contain("do not match").And.Contain("'scores'"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Evaluate_DifferentInputNames_Throws()
    {
        var a = Tiny("in_x.onnx", Weights);
        var b = Tiny("in_y.onnx", Weights, input: "y");
        var e = Assert.Throws<ModelFormatException>(() => OnnxEvaluator.Evaluate(a, b, Quick with { ImagesDirectory = _images }));
        Assert.That(e!.Message, Does.Contain("'x' vs 'y'"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Evaluate_GarbageFile_ThrowsModelFormatExceptionNamingIt(bool garbageIsOriginal)
    {
        var good = Tiny("good.onnx", Weights);
        var garbage = _files.PathOf("garbage.onnx");
        File.WriteAllBytes(garbage, [0x08, 0xFF, 0xFF, 0x13, 0x37, 0x00, 0x42, 0x99]);
        var (a, b) = garbageIsOriginal ? (garbage, good) : (good, garbage);
        var e = Assert.Throws<ModelFormatException>(() => OnnxEvaluator.Evaluate(a, b, Quick with { ImagesDirectory = _images }));
        Assert.That(e!.Message, Does.StartWith(garbage + ":"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Evaluate_MissingFile_ThrowsNamingIt()
    {
        var missing = _files.PathOf("missing.onnx");
        var e = Assert.Throws<ModelFormatException>(() => OnnxEvaluator.Evaluate(missing, missing, Quick));
        Assert.That(e!.Message, Is.EqualTo($"{missing}: file not found"));
    }

    [Test]
    public void Evaluate_FolderWithoutImages_Throws()
    {
        var empty = _files.PathOf("no-images");
        Directory.CreateDirectory(empty);
        var model = Tiny("m.onnx", Weights);
        Assert.Throws<ModelFormatException>(() => OnnxEvaluator.Evaluate(model, model, Quick with { ImagesDirectory = empty }));
    }

    [Test]
    public void Evaluate_ResNet18AgainstItself_NoErrorNoTop1CompanionPreprocessing()
    {
        var options = new EvalOptions(_images, Crops: 1, Runs: 1, WarmupRuns: 0);
        var r = OnnxEvaluator.Evaluate(EvalTestFiles.ResNet18, EvalTestFiles.ResNet18, options);
        Assert.That(r.RelOutputError, Is.EqualTo(0));
        Assert.That(r.Cosine, Is.EqualTo(1).Within(1e-12));
        Assert.That(r.Top1Agreement, Is.Null, "ResNet18's output is a 1×512×1×1 feature map");
        Assert.That(r.Preprocessing, Does.Contain("ResNetPreprocess.onnx"));
    }

    [Test]
    public void Evaluate_ResNet18AgainstFirstConvScaledCopy_SmallPositiveError()
    {
        var perturbed = _files.PathOf("resnet18-perturbed.onnx");
        TinyOnnxModels.WriteScaledCopy(EvalTestFiles.ResNet18, perturbed, TinyOnnxModels.FirstConvWeight(EvalTestFiles.ResNet18), 1.01f);
        var options = new EvalOptions(_images, Crops: 1, Runs: 1, WarmupRuns: 0);
        var r = OnnxEvaluator.Evaluate(EvalTestFiles.ResNet18, perturbed, options);
        // BatchNorm (fixed statistics) follows the conv, so a 1 % weight change is not scaled away but stays small.
        Assert.That(r.RelOutputError, Is.GreaterThan(1e-4).And.LessThan(0.1));
        Assert.That(r.MaxRelOutputError, Is.GreaterThanOrEqualTo(r.RelOutputError));
        Assert.That(r.Cosine, Is.LessThan(1).And.GreaterThan(0.99));
    }
}
