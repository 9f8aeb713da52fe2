using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Costs;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Frontends;

namespace Alds.Engine.Tests.Costs;

/// <summary>
/// <c>--budget macs</c> on the embedded ResNet18, against onnx's own shape inference (<c>scripts/onnx_macs.py</c>) on the
/// original and on the compressed graph that <c>alds compress</c> writes: every scheme's encoder and decoder counted.
/// </summary>
public class MacsBudgetTests
{
    private readonly TempFolder Folder = new();

    [OneTimeTearDown]
    public void TearDown() => Folder.Dispose();

    private JsonElement OracleMacs(string model)
    {
        var script = Path.Combine(PythonRunner.RepoRoot(), "scripts", "onnx_macs.py");
        var r = PythonRunner.Run([script, model], Folder.Path, TimeSpan.FromMinutes(5));
        if (r.ExitCode == 3) Oracles.Requires.Missing("python3-onnx", "python3 cannot import onnx");
        Assert.That(r.ExitCode, Is.Zero, r.Output);
        return JsonDocument.Parse(r.Output.Trim().Split('\n')[^1]).RootElement;
    }

    [TestCase("0")]
    [TestCase("all")]
    public void Compress_MacsBudget_PlanMacsEqualOnnxShapeInferenceOfBothGraphs(string schemes)
    {
        Oracles.Requires.Python();
        var output = Folder[$"macs_{schemes}.onnx"];
        var r = AldsRunner.Run("compress", "--keep", "0.4", "--budget", "macs", "--schemes", schemes, "-o", output, "--json",
            "--cache", Folder["cache"]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        var plan = JsonDocument.Parse(r.Out).RootElement;
        var budget = plan.GetProperty("budget");
        Assert.That(budget.GetProperty("cost").GetString(), Is.EqualTo("macs"));

        var original = OracleMacs(AldsRunner.EmbeddedModel);
        var compressed = OracleMacs(output);
        long before = budget.GetProperty("macs_before").GetInt64(), after = budget.GetProperty("macs_after").GetInt64();
        Assert.That(before, Is.EqualTo(original.GetProperty("total").GetInt64()));
        Assert.That(after, Is.EqualTo(compressed.GetProperty("total").GetInt64()), "the rewritten graph's convs, every scheme");
        Assert.That(after, Is.LessThanOrEqualTo(budget.GetProperty("macs").GetInt64()));
        Assert.That(after, Is.LessThanOrEqualTo((long)Math.Floor(0.4 * before)));
        foreach (var layer in plan.GetProperty("layers").EnumerateArray())
            Assert.That(layer.GetProperty("macs_before").GetInt64(),
                Is.EqualTo(original.GetProperty("convs").GetProperty(layer.GetProperty("name").GetString()!).GetInt64()));
        if (schemes == "all")
            Assert.That(plan.GetProperty("layers").EnumerateArray().Any(l => l.GetProperty("compressed").GetBoolean() && l.GetProperty("scheme").GetInt32() != 0),
                "the check covers a scheme other than 0");
    }

    [Test]
    public void Plan_MacsAbsolute_ImpliesMacsBudget()
    {
        var r = AldsRunner.Run("plan", "--macs", "1000000000", "--json", "--cache", Folder["cache"]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        var budget = JsonDocument.Parse(r.Out).RootElement.GetProperty("budget");
        Assert.That(budget.GetProperty("macs").GetInt64(), Is.EqualTo(1_000_000_000));
        Assert.That(budget.GetProperty("macs_after").GetInt64(), Is.LessThanOrEqualTo(1_000_000_000));
    }

    [Test]
    public void Plan_MacsOnSafetensors_RefusedWithOneLine()
    {
        var model = Folder["small.safetensors"];
        SmallModel.Write(model);
        var r = AldsRunner.Run("plan", model, "--keep", "0.5", "--budget", "macs");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        Assert.That(r.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(r.Err, Does.Contain("needs the model's graph").And.Contain("safetensors"));
    }

    [Test]
    public void Plan_MacsBelowSmallest_NamesSmallestKeep()
    {
        var r = AldsRunner.Run("plan", "--macs", "1000", "--cache", Folder["cache"]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        Assert.That(r.Err, Does.Contain("macs budget 1,000 MACs is unreachable").And.Contain("the smallest reachable keep is"));
    }

    [TestCase(new[] { "--keep", "0.5", "--macs", "100" }, "exactly one budget")]
    [TestCase(new[] { "--params", "100", "--budget", "macs" }, "--params N is a params budget")]
    [TestCase(new[] { "--macs", "100", "--budget", "latency" }, "--macs N is a MACs budget")]
    [TestCase(new[] { "--keep", "0.5", "--budget", "flops" }, "flops")]
    public void Plan_BadBudgetCombination_Usage(string[] args, string message)
    {
        var r = AldsRunner.Run(["plan", .. args]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.BadUsage), r.ToString());
        Assert.That(r.Err, Does.Contain(message));
    }

    [Test]
    public void InputShapes_ParseAndResolve()
    {
        var shapes = InputShapes.Parse(["x=2x3x32x32"]);
        Assert.That(shapes.Resolve("x", [null, 3, null, null], single: false, "m"), Is.EqualTo(new long[] { 2, 3, 32, 32 }));
        var e = Assert.Throws<ModelFormatException>(() => InputShapes.None.Resolve("x", [null, 3, 8, 8], single: true, "m"))!;
        Assert.That(e.Message, Does.Contain("open shape [?,3,8,8]").And.Contain("--input-shape x="));
        Assert.Throws<ModelFormatException>(() => InputShapes.Parse(["1x4x8x8"]).Resolve("x", [null, 3, 8, 8], single: true, "m"));
        Assert.That(InputShapes.Parse(["1x3x8x8"]).Resolve("x", [null, 3, 8, 8], single: true, "m"), Is.EqualTo(new long[] { 1, 3, 8, 8 }));
        Assert.Throws<FormatException>(() => InputShapes.Parse(["x=1x0"]));
        Assert.Throws<FormatException>(() => InputShapes.Parse(["1x3", "2x3"]));
    }
}
