using Alds.Cli;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Cli;

/// <summary>Defects found in review: each reproduced here first.</summary>
public class ReviewRegressionTests
{
    [TestCase("plan", "--keep", "abc")]
    [TestCase("plan", "--params", "1.5")]
    [TestCase("plan", "--params", "0")]
    [TestCase("plan", "--keep", "0.5", "--align", "x")]
    [TestCase("analyze", "--max-groups", "99999999999")]
    [TestCase("compress", "--keep", "abc")]
    public void NumericOption_NotANumberOrOutOfRange_ExitTwoOneLine(params string[] args)
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        SmallModel.Write(model);
        var r = AldsRunner.Run([args[0], model, .. args[1..]]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.BadUsage), r.ToString());
        CliAssert.NoStackTrace(r);
    }

    [Test]
    public void Compress_ReportIsTheInputOrTheOutput_RefusedInputUntouched()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        SmallModel.Write(model);
        var before = File.ReadAllBytes(model);
        var r1 = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", folder["o.safetensors"], "--report", model);
        var r2 = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", folder["o.safetensors"], "--report", folder["o.safetensors"]);
        var r3 = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", folder["o.safetensors"], "--report", folder["missing/r.json"]);
        foreach (var r in new[] { r1, r2, r3 }) Assert.That(r.Code, Is.EqualTo(AldsApp.BadUsage), r.ToString());
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(before));
        Assert.That(File.Exists(folder["o.safetensors"]), Is.False, "nothing written");
    }

    [Test]
    public void Frontier_CsvIsTheInput_RefusedInputUntouched()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        SmallModel.Write(model);
        var before = File.ReadAllBytes(model);
        var r = AldsRunner.Run("frontier", model, "--csv", model);
        Assert.That(r.Code, Is.EqualTo(AldsApp.BadUsage), r.ToString());
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(before));
    }

    [Test]
    public void Compress_OutputNameAlreadyTaken_OneLineNamingItNothingWritten()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        var rng = new Random(3);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble())];
        var w = new SafetensorsWriter();
        w.AddFloat32("fc.weight", DType.F32, [64, 64], Values(64 * 64));
        w.AddFloat32("fc.bias", DType.F32, [64], Values(64));
        w.AddFloat32("fc.decoding.bias", DType.F32, [64], Values(64));
        w.WriteTo(model);
        var r = AldsRunner.Run("compress", model, "--keep", "0.3", "-o", folder["o.safetensors"]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        Assert.That(r.Err, Does.Contain("fc.decoding.bias"));
        Assert.That(r.Err, Does.Not.Contain("internal error"));
        CliAssert.NoStackTrace(r);
        Assert.That(File.Exists(folder["o.safetensors"]), Is.False);
    }

    [Test]
    public void Compress_Bf16Model_MeasuredErrorIsThatOfTheWrittenFactors()
    {
        using var folder = new TempFolder();
        var model = folder["m.safetensors"];
        var rng = new Random(9);
        var w = new SafetensorsWriter();
        w.AddFloat32("fc.weight", DType.BF16, [64, 64], Enumerable.Range(0, 64 * 64).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
        w.WriteTo(model);
        var output = folder["o.safetensors"];
        var r = AldsRunner.Run("compress", model, "--keep", "0.2", "-o", output);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());

        using var file = SafetensorsFile.Open(output);
        // DESIGN §5: factors are written in the source dtype.
        Assert.That(file.Get("fc.encoding.weight").DType, Is.EqualTo(DType.BF16), "encoder dtype");
        Assert.That(file.Get("fc.decoding.weight").DType, Is.EqualTo(DType.BF16), "decoder dtype");
        var plan = Alds.Engine.Planning.PlanJson.Parse(file.Metadata["alds.plan"]);
        var layer = plan.Layers.Single();
        Assert.That(layer.Compressed, Is.True);
        var enc = new double[file.Get("fc.encoding.weight").Entry.ElementCount];
        var dec = new double[file.Get("fc.decoding.weight").Entry.ElementCount];
        file.ReadFloat64("fc.encoding.weight", enc);
        file.ReadFloat64("fc.decoding.weight", dec);
        using var source = SafetensorsFile.Open(model);
        var original = new double[64 * 64];
        source.ReadFloat64("fc.weight", original);
        // Independent: Ŵ[o, i·n + c] = Σ_r D[o, i·j + r]·E[i·j + r, c] from the stored (rounded) factors; norms by LAPACK.
        int j = layer.Rank, k = layer.Groups, n = 64 / k;
        var residual = new double[64 * 64];
        for (int o = 0; o < 64; o++)
            for (int c = 0; c < 64; c++)
            {
                int i = c / n;
                double sum = 0;
                for (int q = 0; q < j; q++) sum += dec[o * k * j + i * j + q] * enc[(i * j + q) * n + c % n];
                residual[o * 64 + c] = original[o * 64 + c] - sum;
            }
        double expected = Oracles.Lapack.SingularValues(residual, 64, 64)[0] / Oracles.Lapack.SingularValues(original, 64, 64)[0];
        Assert.That(layer.RelErrorMeasured, Is.EqualTo(expected).Within(1e-6 * expected));
    }
}
