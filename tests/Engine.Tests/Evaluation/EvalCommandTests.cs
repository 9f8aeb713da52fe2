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
}
