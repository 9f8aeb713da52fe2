using System.Text.Json;
using Alds.Cli;

namespace Alds.Engine.Tests.Cli;

/// <summary><c>alds inspect</c> on the embedded ResNet18 and on a small safetensors model with every kind of tensor.</summary>
public class InspectCommandTests
{
    private TempFolder _dir = null!;
    private string _small = null!;

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        _dir = new TempFolder();
        _small = _dir["small.safetensors"];
        SmallModel.Write(_small);
    }

    [OneTimeTearDown] public void OneTimeTearDown() => _dir.Dispose();

    private static JsonElement Json(AldsRunner.Result r)
    {
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }

    private static Dictionary<string, string> Layers(JsonElement root) =>
        root.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("kind").GetString()!);

    [Test]
    public void Inspect_EmbeddedModel_TableListsTwentyTwoConvs()
    {
        var r = AldsRunner.Run("inspect");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        Assert.That(CliAssert.Lines(r.Out).Count(l => l.Contains("conv layer ", StringComparison.Ordinal)), Is.EqualTo(22), r.Out);
        Assert.That(r.Out, Does.Contain("compressible: 22 conv + 0 linear layers").And.Contain("15,885,504"));
    }

    [Test]
    public void Inspect_EmbeddedModelJson_CompressibleParamsAndTwentyTwoConvs()
    {
        var root = Json(AldsRunner.Run("inspect", "--json"));
        Assert.That(root.GetProperty("compressible_params").GetInt64(), Is.EqualTo(15_885_504));
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.That(layers, Has.Length.EqualTo(22));
        Assert.That(layers.Select(l => l.GetProperty("kind").GetString()), Is.All.EqualTo("conv"));
        Assert.That(layers.Sum(l => l.GetProperty("params").GetInt64()), Is.EqualTo(15_885_504));
        foreach (var l in layers)
        {
            var shape = l.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.That(shape, Has.Length.EqualTo(4));
            Assert.That(shape.Aggregate(1L, (a, d) => a * d), Is.EqualTo(l.GetProperty("params").GetInt64()));
        }
    }

    [Test]
    public void Inspect_SmallModelJson_ConvAndLinearAreLayers()
    {
        var root = Json(AldsRunner.Run("inspect", _small, "--json"));
        Assert.That(Layers(root), Is.EqualTo(new Dictionary<string, string> { ["classifier"] = "linear", ["features.conv"] = "conv" }));
        Assert.That(root.GetProperty("compressible_params").GetInt64(), Is.EqualTo(SmallModel.CompressibleParams));
        var tensors = root.GetProperty("tensors").EnumerateArray().ToDictionary(
            t => t.GetProperty("name").GetString()!, t => t.GetProperty("dtype").GetString());
        Assert.That(tensors, Has.Count.EqualTo(6));
        Assert.That(tensors[SmallModel.Counter], Is.EqualTo("I64"));
    }

    [Test]
    public void Inspect_SmallModelTable_GivesSkipReasons()
    {
        var r = AldsRunner.Run("inspect", _small);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        string Row(string tensor) => CliAssert.Lines(r.Out).Single(l => l.Contains(tensor + " ", StringComparison.Ordinal));
        Assert.That(Row(SmallModel.Conv), Does.Contain("conv layer features.conv"));
        Assert.That(Row(SmallModel.Linear), Does.Contain("linear layer classifier"));
        Assert.That(Row(SmallModel.Embedding), Does.Contain("embedding"));
        Assert.That(Row(SmallModel.Norm), Does.Contain("1-D tensor"));
        Assert.That(Row(SmallModel.Counter), Does.Contain("non-float tensor (I64)"));
        Assert.That(Row(SmallModel.LinearBias), Does.Not.Contain("conv layer").And.Not.Contain("linear layer"));
        Assert.That(r.Out, Does.Contain("compressible: 1 conv + 1 linear layers"));
    }

    [Test]
    public void Inspect_IncludeEmbed_AddsTheEmbeddingOnly()
    {
        var root = Json(AldsRunner.Run("inspect", _small, "--json", "--include", "embed"));
        Assert.That(Layers(root), Is.EqualTo(new Dictionary<string, string> { ["token_embed"] = "linear" }));
        Assert.That(root.GetProperty("compressible_params").GetInt64(), Is.EqualTo(800));
    }

    [Test]
    public void Inspect_Exclude_DropsTheLayerAndSaysWhy()
    {
        var root = Json(AldsRunner.Run("inspect", _small, "--json", "--exclude", "^class"));
        Assert.That(Layers(root).Keys, Is.EqualTo(new[] { "features.conv" }));
        var table = AldsRunner.Run("inspect", _small, "--exclude", "^class");
        Assert.That(CliAssert.Lines(table.Out).Single(l => l.Contains(SmallModel.Linear + " ", StringComparison.Ordinal)),
            Does.Contain("excluded by pattern"));
    }

    [TestCase("--include")]
    [TestCase("--exclude")]
    public void Inspect_BadRegex_ExitTwoOneLine(string option)
    {
        var r = AldsRunner.Run("inspect", _small, option, "(unclosed");
        Assert.That(r.Code, Is.EqualTo(AldsApp.BadUsage), r.ToString());
        CliAssert.OneLineError(r, option, "regular expression");
        Assert.That(r.Out, Is.Empty);
    }
}
