using System.Text.Json;
using Alds.Engine.Export;
using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Frontends;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>
/// <c>alds compress --keep 0.5</c> of the embedded ResNet18 to safetensors, checked by our reader, by an
/// independent rebuild of every layer from the written factors (docs/format.md §3) with LAPACK norms, and by
/// the PyTorch front end's <c>verify</c>.
/// </summary>
public class CompressSafetensorsTests
{
    private static IModelSource OpenSource() => ModelSources.Open(AldsRunner.EmbeddedModel);

    private static PlanDocument WrittenPlan(SafetensorsFile file) => PlanJson.Parse(file.Metadata["alds.plan"], "alds.plan");

    [Test]
    public void CompressHalf_Metadata_FormatVersionAndMeasuredPlan()
    {
        var (path, printed) = ResNet18Workspace.Half();
        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Metadata["format"], Is.EqualTo("alds"));
        Assert.That(file.Metadata["alds.version"], Is.EqualTo("1"));
        var plan = WrittenPlan(file);
        Assert.That(plan, Is.EqualTo(PlanJson.Parse(printed.GetRawText())), "the file's plan differs from the printed one");
        Assert.That(plan.MaxRelError, Is.EqualTo(0.074312).Within(5e-7));
        Assert.That(plan.Layers, Has.Count.EqualTo(22));
        var compressed = plan.Layers.Where(l => l.Compressed).ToList();
        Assert.That(compressed, Is.Not.Empty);
        foreach (var l in compressed)
        {
            Assert.That(l.RelErrorMeasured, Is.Not.Null, l.Name);
            double e = l.RelError, m = l.RelErrorMeasured!.Value;
            Assert.That(m, Is.GreaterThanOrEqualTo(e - 1e-9), $"{l.Name}: measured below the largest group's error");
            Assert.That(m, Is.LessThanOrEqualTo(Math.Sqrt(l.Groups) * e + 1e-9), $"{l.Name}: measured above √k × error");
        }
    }

    [Test]
    public void CompressHalf_Tensors_FactorsReplaceCompressedWeightsOthersByteIdentical()
    {
        var (path, _) = ResNet18Workspace.Half();
        using var file = SafetensorsFile.Open(path);
        using var source = OpenSource();
        var plan = WrittenPlan(file);
        var byName = source.Layers.ToDictionary(l => l.Name);
        var removed = plan.Layers.Where(l => l.Compressed).Select(l => byName[l.Name].WeightTensor).ToHashSet();
        var expected = source.Tensors.Select(t => t.Name).Where(n => !removed.Contains(n))
            .Concat(plan.Layers.Where(l => l.Compressed).SelectMany(l => new[] { l.Name + ".encoding.weight", l.Name + ".decoding.weight" }));
        Assert.That(file.Tensors.Select(t => t.Name), Is.EquivalentTo(expected));

        foreach (var t in source.Tensors.Where(t => !removed.Contains(t.Name)))
        {
            var info = file.Get(t.Name);
            Assert.That(info.DType, Is.EqualTo(t.DType), t.Name);
            Assert.That(info.Shape, Is.EqualTo(t.Shape), t.Name);
            using var bytes = new MemoryStream();
            source.CopyRawBytes(t.Name, bytes);
            Assert.That(file.GetBytes(t.Name).SequenceEqual(bytes.ToArray()), Is.True, $"{t.Name} changed");
        }
    }

    [Test]
    public void CompressKeepOne_NoLayerCompressed_EveryTensorAsInTheSource()
    {
        var (path, printed) = ResNet18Workspace.Whole();
        Assert.That(printed.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("compressed").GetBoolean()), Is.All.False);
        using var file = SafetensorsFile.Open(path);
        using var source = OpenSource();
        Assert.That(file.Tensors.Select(t => t.Name), Is.EquivalentTo(source.Tensors.Select(t => t.Name)));
        foreach (var t in source.Tensors)
        {
            using var bytes = new MemoryStream();
            source.CopyRawBytes(t.Name, bytes);
            Assert.That(file.GetBytes(t.Name).SequenceEqual(bytes.ToArray()), Is.True, $"{t.Name} changed");
        }
    }

    /// <summary>Column κ of F_s(W) for element (c, y, x) and row ρ for (o, y, x), docs/format.md §3.</summary>
    private static (long row, long col) FoldIndex(int s, int o, int c, int y, int x, int kh, int kw) => s switch
    {
        0 => (o, ((long)c * kh + y) * kw + x),
        1 => ((long)o * kh + y, (long)c * kw + x),
        2 => ((long)o * kw + x, (long)c * kh + y),
        _ => (((long)o * kh + y) * kw + x, c),
    };

    private static double[] Fold(double[] w, int s, int outC, int inC, int kh, int kw, out int m, out int n)
    {
        int enc = s switch { 0 => kh * kw, 1 => kw, 2 => kh, _ => 1 }, dec = kh * kw / enc;
        m = outC * dec;
        n = inC * enc;
        var f = new double[(long)m * n];
        for (int o = 0; o < outC; o++)
            for (int c = 0; c < inC; c++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                    {
                        var (r, k) = FoldIndex(s, o, c, y, x, kh, kw);
                        f[r * n + k] = w[(((long)o * inC + c) * kh + y) * kw + x];
                    }
        return f;
    }

    /// <summary>Ŵ[o, i·in/k + c', y, x] = Σ_r dec[o, i·j + r, yd, xd] · enc[i·j + r, c', ye, xe] (docs/format.md §3).</summary>
    private static double[] Rebuild(SafetensorsFile file, PlanLayerDocument l)
    {
        int outC = l.Shape[0], inC = l.Shape[1], kh = l.Shape[2], kw = l.Shape[3], k = l.Groups, j = l.Rank, g = inC / k;
        var encInfo = file.Get(l.Name + ".encoding.weight");
        var decInfo = file.Get(l.Name + ".decoding.weight");
        int ekh = (int)encInfo.Shape[2], ekw = (int)encInfo.Shape[3], dkh = (int)decInfo.Shape[2], dkw = (int)decInfo.Shape[3];
        Assert.That(encInfo.Shape, Is.EqualTo(new long[] { k * j, g, ekh, ekw }), l.Name);
        Assert.That(decInfo.Shape, Is.EqualTo(new long[] { outC, k * j, dkh, dkw }), l.Name);
        Assert.That(ekh * dkh == kh && ekw * dkw == kw, Is.True, $"{l.Name}: kernel split");
        var enc = new double[encInfo.Shape.Aggregate(1L, (a, d) => a * d)];
        var dec = new double[decInfo.Shape.Aggregate(1L, (a, d) => a * d)];
        file.ReadFloat64(encInfo.Name, enc);
        file.ReadFloat64(decInfo.Name, dec);
        var w = new double[(long)outC * inC * kh * kw];
        for (int o = 0; o < outC; o++)
            for (int i = 0; i < k; i++)
                for (int cp = 0; cp < g; cp++)
                    for (int y = 0; y < kh; y++)
                        for (int x = 0; x < kw; x++)
                        {
                            // The side with one tap on an axis takes index 0 there.
                            int ye = ekh == 1 ? 0 : y, xe = ekw == 1 ? 0 : x, yd = dkh == 1 ? 0 : y, xd = dkw == 1 ? 0 : x;
                            double sum = 0;
                            for (int r = 0; r < j; r++)
                                sum += dec[(((long)o * k * j + i * j + r) * dkh + yd) * dkw + xd]
                                     * enc[((((long)i * j + r) * g + cp) * ekh + ye) * ekw + xe];
                            w[(((long)o * inC + i * g + cp) * kh + y) * kw + x] = sum;
                        }
        return w;
    }

    [Test]
    public void CompressHalf_RebuiltLayers_LapackResidualEqualsMeasured()
    {
        Requires.Lapack();
        var (path, _) = ResNet18Workspace.Half();
        using var file = SafetensorsFile.Open(path);
        using var source = OpenSource();
        var byName = source.Layers.ToDictionary(l => l.Name);
        foreach (var l in WrittenPlan(file).Layers.Where(l => l.Compressed))
        {
            var spec = byName[l.Name];
            var w = new double[spec.Params];
            source.ReadWeight(spec, w);
            var what = Rebuild(file, l);
            var f = Fold(w, l.Scheme, spec.Out, spec.In, spec.Kh, spec.Kw, out int m, out int n);
            var fhat = Fold(what, l.Scheme, spec.Out, spec.In, spec.Kh, spec.Kw, out _, out _);
            for (long i = 0; i < f.LongLength; i++) fhat[i] = f[i] - fhat[i];
            double norm = Lapack.SingularValues(f, m, n)[0];
            double residual = Lapack.SingularValues(fhat, m, n)[0] / norm;
            double measured = l.RelErrorMeasured!.Value;
            Assert.That(residual, Is.EqualTo(measured).Within(1e-3 * measured), $"{l.Name}: LAPACK residual of the rebuilt layer");
        }
    }

    [Test]
    public void CompressHalf_PythonVerify_AgreesWithMeasuredErrors()
    {
        Requires.Torch();
        var (compressed, _) = ResNet18Workspace.Half();
        var (original, _) = ResNet18Workspace.Whole();
        var script = Path.Combine(PythonRunner.FrontendDir(), "alds_torch.py");
        var result = PythonRunner.Run([script, "verify", original, compressed], Path.GetTempPath(), TimeSpan.FromSeconds(300));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);

        using var doc = JsonDocument.Parse(result.Output);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("passthrough_mismatches").GetArrayLength(), Is.Zero, result.Output);
        using var file = SafetensorsFile.Open(compressed);
        var ours = WrittenPlan(file).Layers.Where(l => l.Compressed).ToDictionary(l => l.Name, l => l.RelErrorMeasured!.Value);
        var theirs = root.GetProperty("layers").EnumerateArray()
            .ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("rel_error_measured_py").GetDouble());
        Assert.That(theirs.Keys, Is.EquivalentTo(ours.Keys));
        foreach (var (name, e) in ours)
            Assert.That(theirs[name], Is.EqualTo(e).Within(1e-3 * e), $"{name}: PyTorch front end vs rel_error_measured");
    }
}
