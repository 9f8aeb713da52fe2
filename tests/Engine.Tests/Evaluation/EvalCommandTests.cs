using System.Text.Json;
using Alds.Cli;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>The <c>alds eval</c> command line: JSON shape, exit codes, one-line errors.</summary>
public class EvalCommandTests
{
    private EvalTestFiles _files = null!;
    private string _model = null!;
    private string _images = null!;

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        _files = new EvalTestFiles();
        _images = _files.ImageFolder();
        _model = _files.PathOf("tiny.onnx");
        TinyOnnxModels.WriteClassifier(_model, new float[,] { { 1, 0, 0 }, { 0, 1, 0 } });
    }

    [OneTimeTearDown] public void OneTimeTearDown() => _files.Dispose();

    private static (int code, string output, string error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AldsApp.Run(args, new CliContext(output, error, interactive: false));
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public void Eval_Json_HasTheDocumentedFields()
    {
        var (code, output, error) = Run("eval", _model, _model, "--images", _images, "--crops", "1", "--runs", "2", "--json");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("image"));
        Assert.That(root.GetProperty("images").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("rel_output_error").GetDouble(), Is.EqualTo(0));
        Assert.That(root.GetProperty("cosine").GetDouble(), Is.EqualTo(1).Within(1e-12));
        Assert.That(root.GetProperty("top1_agreement").GetDouble(), Is.EqualTo(1));
        Assert.That(root.GetProperty("latency_ms").GetProperty("original").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("latency_ms").GetProperty("compressed").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("inputs").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("runs").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public void Eval_Table_PrintsMetricsAndLatency()
    {
        var (code, output, error) = Run("eval", _model, _model, "--images", _images, "--crops", "1", "--runs", "1");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        Assert.That(output, Does.Contain("top-1 agreement").And.Contain("median ms").And.Contain("tiny.onnx"));
    }

    [Test]
    public void Eval_MismatchedModels_ExitOneWithOneLine()
    {
        var other = _files.PathOf("other.onnx");
        TinyOnnxModels.WriteClassifier(other, new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        var (code, output, error) = Run("eval", _model, other, "--images", _images, "--runs", "1");
        Assert.That(code, Is.EqualTo(AldsApp.Failure));
        Assert.That(output, Is.Empty);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("alds: ").And.Contain("do not match"));
    }

    [Test]
    public void Eval_ZeroRuns_BadUsage()
    {
        var (code, _, error) = Run("eval", _model, _model, "--images", _images, "--runs", "0");
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(error, Does.Contain("--runs"));
    }

    [Test]
    public void Eval_Batch_SameMetricsAsBatchOneIncludingAPartialBatch()
    {
        // 2 images × 3 crops = 6 inputs: batch 4 runs one full and one partial batch; the metrics stay per crop
        var other = _files.PathOf("batch-other.onnx");
        TinyOnnxModels.WriteClassifier(other, new float[,] { { 0.9f, 0.2f, -0.1f }, { 0.1f, 1.1f, 0.3f } });
        JsonElement Eval(string batch)
        {
            var (code, output, error) = Run("eval", _model, other, "--images", _images, "--crops", "3", "--runs", "2", "--batch", batch, "--json");
            Assert.That(code, Is.EqualTo(AldsApp.Success), error);
            return JsonDocument.Parse(output).RootElement.Clone();
        }
        var one = Eval("1");
        var four = Eval("4");
        Assert.That(one.GetProperty("batch").GetInt32(), Is.EqualTo(1));
        Assert.That(four.GetProperty("batch").GetInt32(), Is.EqualTo(4));
        Assert.That(four.GetProperty("inputs").GetInt32(), Is.EqualTo(6));
        Assert.That(one.GetProperty("rel_output_error").GetDouble(), Is.GreaterThan(0.01), "the two models differ");
        foreach (var metric in new[] { "rel_output_error", "max_rel_output_error", "cosine", "top1_agreement" })
            Assert.That(four.GetProperty(metric).GetDouble(), Is.EqualTo(one.GetProperty(metric).GetDouble()).Within(1e-6), metric);
    }

    [TestCase("0")]
    [TestCase("-3")]
    [TestCase("1025")]
    [TestCase("eight")]
    public void Eval_BadBatch_BadUsageOneLine(string batch)
    {
        var (code, output, error) = Run("eval", _model, _model, "--images", _images, "--batch", batch);
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(output, Is.Empty);
        Assert.That(error.Split('\n')[0], Does.StartWith("alds: ").And.Contain("--batch").And.Contain(batch));
        Assert.That(error.TrimEnd().Split('\n').Skip(1), Is.Empty.Or.EqualTo(new[] { "Try 'alds --help'." }), "one line and the usual hint");
    }

    [Test]
    public void Eval_BatchOfAModelFixedAtAnotherBatch_ExitOneWithOneLine()
    {
        var fixedTwo = _files.PathOf("fixed-two.onnx");
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(_model));
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue = 2;
        model.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimValue = 2;
        File.WriteAllBytes(fixedTwo, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var (code, output, error) = Run("eval", fixedTwo, fixedTwo, "--images", _images, "--runs", "1", "--batch", "8");
        Assert.That(code, Is.EqualTo(AldsApp.Failure));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.Contain("fixes its first dimension to 2").And.Contain("batch 8"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void Eval_ResNet18AtBatchTwo_KeepsItsCompanionPreprocessing()
    {
        // a copy outside ResNet18Onnx/: the companion is found by the model's own (batch-1) input, whatever the batch
        var copy = _files.PathOf("resnet-copy.onnx");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"), copy, overwrite: true);
        var (code, output, error) = Run("eval", copy, copy, "--images", _images, "--crops", "1", "--runs", "1", "--batch", "2", "--json");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.GetProperty("preprocessing").GetString(), Does.StartWith("companion model ResNetPreprocess.onnx"));
        Assert.That(root.GetProperty("batch").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("rel_output_error").GetDouble(), Is.EqualTo(0));
    }
}
