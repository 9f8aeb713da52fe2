using System.Text.Json;
using System.Text.Json.Nodes;
using Alds.Cli;
using Alds.Interop;
using Alds.Engine.IO;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Export;
using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>
/// The CLI options that had no test of their effect (issue 17): <c>--format</c>, <c>--device</c>,
/// <c>--refine/--no-refine</c> and what <c>--report</c> writes.
/// </summary>
public class CompressOptionTests
{
    private static string TinyOnnx(TempFolder folder)
    {
        var rng = new Random(4);
        var model = OnnxTestKit.NewModel();
        model.Graph.Initializer.Add(OnnxTestKit.Initializer("conv.weight", [24, 16, 3, 3], OnnxTestKit.Random(rng, 24 * 16 * 9)));
        model.Graph.Input.Add(OnnxTestKit.Value("x", 1, 16, 8, 8));
        model.Graph.Output.Add(OnnxTestKit.Value("y", 1, 24, 8, 8));
        model.Graph.Node.Add(OnnxTestKit.Node("Conv", "conv", ["x", "conv.weight"], ["y"], OnnxTestKit.Ints("pads", 1, 1, 1, 1)));
        var path = folder["tiny.onnx"];
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static bool IsSafetensors(string path)
    {
        try { using var f = SafetensorsFile.Open(path); return f.Metadata.GetValueOrDefault("format") == "alds"; }
        catch (ModelFormatException) { return false; }
    }

    private static bool IsOnnx(string path)
    {
        try { return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Any(n => n.Name.Contains("_alds_")); }
        catch (InvalidProtocolBufferException) { return false; }
    }

    [Test]
    public void Format_OverridesTheOutputExtension_BothWays()
    {
        using var folder = new TempFolder();
        var model = TinyOnnx(folder);
        var asOnnx = folder["out.bin"];
        var r = AldsRunner.Run("compress", model, "--keep", "0.4", "-o", asOnnx, "--format", "onnx");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        Assert.That((IsOnnx(asOnnx), IsSafetensors(asOnnx)), Is.EqualTo((true, false)), "--format onnx");

        var asSafetensors = folder["out.onnx"];
        r = AldsRunner.Run("compress", model, "--keep", "0.4", "-o", asSafetensors, "--format", "safetensors");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        Assert.That((IsOnnx(asSafetensors), IsSafetensors(asSafetensors)), Is.EqualTo((false, true)), "--format safetensors beats the .onnx extension");

        var byExtension = folder["ext.onnx"];
        r = AldsRunner.Run("compress", model, "--keep", "0.4", "-o", byExtension);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        Assert.That(IsOnnx(byExtension), Is.True, "without --format, an .onnx output is ONNX");
    }

    [Test]
    public void Format_OnnxFromSafetensorsInput_ExitOneNothingWritten()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        SmallModel.Write(model);
        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", folder["o.onnx"], "--format", "onnx");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "onnx");
        CliAssert.FolderHolds(folder.Path, "m.safetensors");
    }

    [Test]
    public void Format_Unknown_UsageError() =>
        CliAssert.UsageError(AldsRunner.Run("compress", "--keep", "0.5", "--format", "pickle"), "pickle");

    [Test]
    public void Device_CpuAndAuto_SameBytesAsDefault_CudaPerAvailability()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        SmallModel.Write(model);
        byte[] Compress(string name, params string[] device)
        {
            var r = AldsRunner.Run(["compress", model, "--keep", "0.5", "-o", folder[name], .. device]);
            Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
            return File.ReadAllBytes(folder[name]);
        }
        var byDefault = Compress("default.safetensors");
        Assert.That(Compress("cpu.safetensors", "--device", "cpu"), Is.EqualTo(byDefault), "--device cpu is the default");

        var cuda = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", folder["cuda.safetensors"], "--device", "cuda");
        if (CudaRuntime.IsAvailable)
        {
            Assert.That(cuda.Code, Is.EqualTo(AldsApp.Success), cuda.ToString());
        }
        else
        {
            // No device: auto falls back to the CPU (same bytes); cuda refuses on one line and writes nothing.
            Assert.That(Compress("auto.safetensors", "--device", "auto"), Is.EqualTo(byDefault), "--device auto without a GPU");
            Assert.That(cuda.Code, Is.EqualTo(AldsApp.Failure), cuda.ToString());
            CliAssert.ErrorAfterProgress(cuda, "CUDA");
            Assert.That(File.Exists(folder["cuda.safetensors"]), Is.False);
        }
    }

    [Test]
    public void Device_Unknown_UsageError() =>
        CliAssert.UsageError(AldsRunner.Run("plan", "--keep", "0.5", "--device", "tpu"), "tpu");

    private static JsonElement Plan(params string[] options) =>
        JsonDocument.Parse(ResNet18Workspace.RunCached(["plan", "--keep", "0.5", "--json", .. options]).Out).RootElement.Clone();

    [Test]
    public void Refine_DefaultOnSpendsLeftoverOnNextWorst_NoRefineStopsAtTheBottleneck()
    {
        var byDefault = Plan();
        var refine = Plan("--refine");
        var noRefine = Plan("--no-refine");
        Assert.That(byDefault.GetRawText(), Is.EqualTo(refine.GetRawText()), "--refine is the default");

        double max = refine.GetProperty("max_rel_error").GetDouble();
        Assert.That(noRefine.GetProperty("max_rel_error").GetDouble(), Is.EqualTo(max), "refining never moves the maximum");
        long spent = refine.GetProperty("budget").GetProperty("params_after").GetInt64();
        long unspent = noRefine.GetProperty("budget").GetProperty("params_after").GetInt64();
        Assert.That(spent, Is.GreaterThan(unspent), "--refine spends budget that --no-refine leaves");
        Assert.That(spent, Is.LessThanOrEqualTo(refine.GetProperty("budget").GetProperty("params").GetInt64()));

        var a = refine.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("rel_error").GetDouble());
        var b = noRefine.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("rel_error").GetDouble());
        Assert.That(a.Keys, Is.EquivalentTo(b.Keys));
        Assert.That(a.Where(kv => kv.Value > b[kv.Key]), Is.Empty, "refining lowers or keeps every layer's error");
        Assert.That(a.Count(kv => kv.Value < b[kv.Key]), Is.Positive, "and lowers some");
    }

    [Test]
    public void Report_HoldsOutputPlanWithMeasuredErrorsAndTimings()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        SmallModel.Write(model);
        var output = folder["o.safetensors"];
        var report = folder["report.json"];
        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", output, "--report", report, "--json");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());

        var doc = JsonNode.Parse(File.ReadAllText(report))!.AsObject();
        Assert.That(doc.Select(p => p.Key), Is.EquivalentTo(new[] { "output", "plan", "timings" }));
        Assert.That(doc["output"]!.GetValue<string>(), Is.EqualTo(output));
        // The report's plan is the plan printed by --json and stored in the output's header.
        Assert.That(JsonNode.DeepEquals(doc["plan"], JsonNode.Parse(r.Out)), Is.True, "report plan vs --json");
        using var file = SafetensorsFile.Open(output);
        Assert.That(JsonNode.DeepEquals(doc["plan"], JsonNode.Parse(file.Metadata["alds.plan"])), Is.True, "report plan vs header plan");
        var layers = doc["plan"]!["layers"]!.AsArray();
        Assert.That(layers.Where(l => l!["compressed"]!.GetValue<bool>()).Select(l => l!["rel_error_measured"]?.GetValue<double>()),
            Is.Not.Empty.And.All.Positive, "measured errors of the compressed layers");
        var timings = doc["timings"]!.AsObject();
        Assert.That(timings.Select(p => p.Key), Is.EquivalentTo(new[] { "analysis_s", "planning_s", "factorise_and_write_s", "total_s" }));
        Assert.That(timings.Select(p => p.Value!.GetValue<double>()), Is.All.GreaterThanOrEqualTo(0));
        double parts = timings["analysis_s"]!.GetValue<double>() + timings["planning_s"]!.GetValue<double>() + timings["factorise_and_write_s"]!.GetValue<double>();
        Assert.That(timings["total_s"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(parts), "the stages lie within the total");
        CliAssert.FolderHolds(folder.Path, "m.safetensors", "o.safetensors", "report.json");
    }
}
