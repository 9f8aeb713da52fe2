using System.Text.Json;
using Alds.Engine.Calibration;
using Alds.Engine.Models;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Evaluation;

namespace Alds.Engine.Tests.Calibration;

public class CalibrationCommandTests
{
    private static string Images(TempFolder dir, string name, int seed, bool withBroken = false)
    {
        var folder = dir.Sub(name);
        var rng = new Random(seed);
        for (int i = 0; i < 3; i++)
        {
            var colours = Enumerable.Range(0, 3).Select(_ => rng.Next(256)).ToArray();
            PngWriter.WriteRgb(Path.Combine(folder, $"{name}{i}.png"), 20 + 3 * i, 17 + i,
                (y, x) => ((byte)((colours[0] + 7 * x) % 256), (byte)((colours[1] + 5 * y) % 256), (byte)((colours[2] + x * y) % 256)));
        }
        if (withBroken) File.WriteAllBytes(Path.Combine(folder, "broken.png"), [1, 2, 3, 4, 5]);
        return folder;
    }

    private static string Model(TempFolder dir)
    {
        var path = dir["tiny.onnx"];
        var w = new float[8, 3];
        var rng = new Random(3);
        for (int c = 0; c < 8; c++)
            for (int k = 0; k < 3; k++) w[c, k] = (float)(rng.NextDouble() - 0.5);
        TinyOnnxModels.WriteClassifier(path, w);
        return path;
    }

    // Oracle for the ONNX Runtime capture: the 1×1 conv's input vectors are the model's input pixels, so C is the mean
    // outer product of the preprocessed crops' 3-vectors, computed here by a plain loop over the inputs fed.
    [Test]
    public void Capture_OneByOneConv_MomentIsMeanPixelOuterProduct()
    {
        using var dir = new TempFolder();
        var model = Model(dir);
        var images = Images(dir, "cal", 1);
        using var source = new OnnxModelSource(model);
        var inputs = CalibrationInputs.Prepare(model, new CalibrationOptions(images, Samples: 5), null);
        using var store = new MomentStore(dir.Sub("moments"), 1, inputs.Set.Key());
        var layer = LayerInput.Of(source, source.Bindings[0]);
        Assert.That(ActivationCapture.Run(source, [layer], inputs, store, 1 << 20), Is.EqualTo(1));
        var (c, count) = store.TryRead(source.Layers[0].Name, 3)!.Value;
        var expected = new double[9];
        long pixels = 0;
        foreach (var x in inputs.Feeds.Select(f => f.Inputs[0].AsTensor<float>().ToArray()))
        {
            int plane = x.Length / 3;
            for (int p = 0; p < plane; p++, pixels++)
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++) expected[i * 3 + j] += (double)x[i * plane + p] * x[j * plane + p];
        }
        Assert.That(count, Is.EqualTo(pixels));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j <= i; j++) Assert.That(c[i * 3 + j], Is.EqualTo(expected[i * 3 + j] / pixels).Within(1e-9 * Math.Abs(expected[i * 3 + i] / pixels)));
        Assert.That(ActivationCapture.Run(source, [layer], inputs, store, 1 << 20), Is.EqualTo(0), "stored moments are reused");
    }

    [Test]
    public void Plan_Calibration_RecordsCalibrationAndSkipsBrokenImage()
    {
        using var dir = new TempFolder();
        var model = Model(dir);
        var images = Images(dir, "cal", 2, withBroken: true);
        var r = AldsRunner.Run("plan", model, "--keep", "0.8", "--calibration", images, "--calibration-samples", "6", "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Err, Does.Contain("warning").And.Contain("broken.png"), r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var cal = doc.RootElement.GetProperty("calibration");
        Assert.That(cal.GetProperty("samples").GetInt32(), Is.EqualTo(6));
        Assert.That(cal.GetProperty("images").GetArrayLength(), Is.EqualTo(3));
        Assert.That(cal.GetProperty("layers")[0].GetProperty("whitening").GetString(), Is.EqualTo("cholesky"));
        Assert.That(doc.RootElement.GetProperty("version").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public void Compress_CalibratedOnnx_EvalWarnsOnlyWhenImagesOverlap()
    {
        using var dir = new TempFolder();
        var model = Model(dir);
        var calibration = Images(dir, "cal", 3);
        var heldOut = Images(dir, "held", 4);
        var output = dir["tiny.alds.onnx"];
        var r = AldsRunner.Run("compress", model, "--keep", "0.8", "--calibration", calibration, "--calibration-samples", "4", "-o", output, "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        using (var doc = JsonDocument.Parse(r.Out))
            Assert.That(doc.RootElement.GetProperty("layers")[0].TryGetProperty("rel_error_measured_whitened", out _), Is.True, r.Out);
        var overlapping = AldsRunner.Run("eval", model, output, "--images", calibration, "--runs", "1", "--json");
        Assert.That(overlapping.Code, Is.EqualTo(0), overlapping.ToString());
        Assert.That(overlapping.Err, Does.Contain("warning").And.Contain("calibrated"), overlapping.ToString());
        var disjoint = AldsRunner.Run("eval", model, output, "--images", heldOut, "--runs", "1", "--json");
        Assert.That(disjoint.Code, Is.EqualTo(0), disjoint.ToString());
        Assert.That(disjoint.Err, Does.Not.Contain("warning"), disjoint.ToString());
    }

    [Test]
    public void Plan_DataFreeAllocation_SameChoicesAsDataFree()
    {
        using var dir = new TempFolder();
        var model = Model(dir);
        var images = Images(dir, "cal", 5);
        var free = AldsRunner.Run("plan", model, "--keep", "0.6", "--json");
        var mixed = AldsRunner.Run("plan", model, "--keep", "0.6", "--calibration", images, "--calibration-samples", "3",
            "--calibration-allocation", "data-free", "--json");
        Assert.That(mixed.Code, Is.EqualTo(0), mixed.ToString());
        using var a = JsonDocument.Parse(free.Out);
        using var b = JsonDocument.Parse(mixed.Out);
        Assert.That(b.RootElement.GetProperty("layers").ToString(), Is.EqualTo(a.RootElement.GetProperty("layers").ToString()));
        Assert.That(b.RootElement.GetProperty("calibration").GetProperty("allocation").GetString(), Is.EqualTo("data-free"));
    }

    [Test]
    public void Plan_CalibrationOnSafetensors_OneLineNothingWritten()
    {
        using var dir = new TempFolder();
        SmallModel.Write(dir["small.safetensors"]);
        var r = AldsRunner.Run("compress", dir["small.safetensors"], "--keep", "0.5", "--calibration", "-o", dir["out.safetensors"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "--calibration needs an ONNX model");
        CliAssert.FolderHolds(dir.Path, "small.safetensors");
    }

    [Test]
    public void Plan_CalibrationWithAllSchemes_UsageError()
    {
        var r = AldsRunner.Run("plan", "--keep", "0.5", "--calibration", "--schemes", "all");
        CliAssert.UsageError(r, "--schemes 0 only");
    }

    [Test]
    public void Plan_NoDecodableCalibrationImage_OneLineError()
    {
        using var dir = new TempFolder();
        var model = Model(dir);
        var folder = dir.Sub("bad");
        File.WriteAllBytes(Path.Combine(folder, "a.png"), [0, 1, 2]);
        var r = AldsRunner.Run("plan", model, "--keep", "0.8", "--calibration", folder);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(CliAssert.Lines(r.Err)[^1], Does.StartWith("alds: ").And.Contain("could be decoded"), r.ToString());
    }
}
