using Alds.Engine.Decomposition;
using Alds.Engine.IO;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Decomposition;

/// <summary>
/// The factorisation from a float32 weight (half the memory of float64) against the float64 path on the same values:
/// widening is exact, so factors and measured residuals must agree bit for bit; and the sources' float32 reads
/// against their float64 reads.
/// </summary>
public class SingleWeightFactorizationTests
{
    private static float[] RandomWeight(LayerSpec layer, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)layer.Params).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
    }

    private static double[] Widen(float[] w) => Array.ConvertAll(w, x => (double)x);

    // Small layers (one thread per group), a group order ≥ 256 (parallel inside the group), every scheme.
    [TestCase(0, 12, 8, 3, 4, 3)]
    [TestCase(1, 12, 8, 3, 2, 2)]
    [TestCase(2, 10, 6, 3, 3, 2)]
    [TestCase(3, 12, 8, 3, 2, 3)]
    [TestCase(0, 300, 600, 1, 2, 20)]
    [TestCase(1, 100, 96, 3, 1, 30)]
    public void Factorize_Float32Weight_SameFactorsAsFloat64(int scheme, int outs, int ins, int kernel, int groups, int rank)
    {
        var layer = new LayerSpec("c", kernel == 1 ? LayerKind.Linear : LayerKind.Conv, outs, ins, kernel, kernel, "c.weight", null);
        var single = RandomWeight(layer, 5 + scheme);
        var wide = Widen(single);
        var a = Decomposer.Factorize(layer, single, scheme, groups, rank, 2);
        var b = Decomposer.Factorize(layer, wide, scheme, groups, rank, 2);
        Assert.That(a.Encoder, Is.EqualTo(b.Encoder).AsCollection);
        Assert.That(a.Decoder, Is.EqualTo(b.Decoder).AsCollection);
        Assert.That(a.TruncationError, Is.EqualTo(b.TruncationError));
        Assert.That(ResidualMeasure.RelativeSpectralError(a, single), Is.EqualTo(ResidualMeasure.RelativeSpectralError(b, wide)));
    }

    // Above SpectralNorm.ExactLimit the residual is measured by Lanczos on views of the weight: float32 rows widened.
    [TestCase(0, 1)]
    [TestCase(0, 4)]
    [TestCase(1, 2)]
    public void RelativeSpectralError_LargeLayerFromFloat32_SameAsFloat64(int scheme, int groups)
    {
        var layer = new LayerSpec("big", LayerKind.Conv, 520, 576, 3, 3, "big.weight", null);
        var single = RandomWeight(layer, 17);
        var wide = Widen(single);
        var f = Decomposer.Factorize(layer, wide, scheme, groups, 40, 2);
        Assert.That(ResidualMeasure.RelativeSpectralError(f, single), Is.EqualTo(ResidualMeasure.RelativeSpectralError(f, wide)));
    }

    [TestCase(DType.F32)]
    [TestCase(DType.BF16)]
    [TestCase(DType.F16)]
    [TestCase(DType.F64)]
    public void SafetensorsSource_TryReadWeight_ExactlyTheFloat64ReadOrDeclined(DType dtype)
    {
        var dir = Directory.CreateTempSubdirectory("alds-single-").FullName;
        try
        {
            var path = Path.Combine(dir, "m.safetensors");
            var rng = new Random(3);
            var values = Enumerable.Range(0, 24 * 16 * 9).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var w = new SafetensorsWriter();
            w.AddFloat64("conv.weight", dtype, [24, 16, 3, 3], values);
            w.WriteTo(path);
            using var source = ModelSources.Open(path);
            var layer = source.Layers.Single();
            var wide = new double[layer.Params];
            source.ReadWeight(layer, wide);
            bool read = source.TryReadWeight(layer, out var single);
            if (dtype == DType.F64)
            {
                Assert.That(read, Is.False, "float32 cannot hold F64 weights exactly");
                return;
            }
            Assert.That(read, Is.True);
            Assert.That(Widen(single!), Is.EqualTo(wide).AsCollection);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void OnnxSource_TryReadWeight_EmbeddedResNet18_ExactlyTheFloat64Read()
    {
        using var source = new OnnxModelSource(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));
        foreach (var layer in source.Layers.Take(6))
        {
            var wide = new double[layer.Params];
            source.ReadWeight(layer, wide);
            Assert.That(source.TryReadWeight(layer, out var single), Is.True, layer.Name);
            Assert.That(Widen(single!), Is.EqualTo(wide).AsCollection, layer.Name);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void OnnxSource_TryReadWeight_MatMulStoredTransposed_CanonicalExactly(bool raw)
    {
        using var dir = new Models.TempDir();
        var values = Enumerable.Range(0, 15).Select(i => 0.25f * i - 1.5f).ToArray();
        var b = new Models.OnnxModelBuilder().Float("W", [3, 5], values, raw).Node("MatMul", ["x", "W"], ["h"]);
        using var source = new OnnxModelSource(b.Write(dir.Path));
        var layer = source.Layers.Single();
        Assert.That(layer.Layout, Is.EqualTo(WeightLayout.Transposed));
        var wide = new double[layer.Params];
        source.ReadWeight(layer, wide);
        // raw_data and packed float_data both lie in the file as little-endian floats: both read without float64.
        Assert.That(source.TryReadWeight(layer, out var single), Is.True);
        Assert.That(Widen(single!), Is.EqualTo(wide).AsCollection);
    }

    [Test]
    public void PlanFactorizer_SafetensorsF32_SameFactorsAndErrorsAsTheFloat64Path()
    {
        var dir = Directory.CreateTempSubdirectory("alds-single-").FullName;
        try
        {
            var path = Path.Combine(dir, "m.safetensors");
            var rng = new Random(9);
            float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            var w = new SafetensorsWriter();
            w.AddFloat32("a.weight", DType.F32, [32, 16, 3, 3], Values(32 * 16 * 9));
            w.AddFloat32("b.weight", DType.F32, [40, 24], Values(40 * 24));
            w.WriteTo(path);
            using var source = ModelSources.Open(path);
            var choices = source.Layers.Select((l, i) => new LayerChoice(l, true, i == 0 ? 1 : 0, 2, 3, l.Params, 0, 0)).ToArray();
            var plan = new Plan("exact", [0, 1], "max", 0.5, 0, 0, 0, 0, "", choices);
            var viaSingle = new List<FactorizedLayer>();
            var measured = PlanFactorizer.Run(source, plan, (f, _) => viaSingle.Add(f));
            for (int i = 0; i < choices.Length; i++)
            {
                var layer = source.Layers[i];
                var wide = new double[layer.Params];
                source.ReadWeight(layer, wide);
                var expected = Decomposer.Factorize(layer, wide, choices[i].Scheme, choices[i].Groups, choices[i].Rank);
                Assert.That(viaSingle[i].Encoder, Is.EqualTo(expected.Encoder).AsCollection, layer.Name);
                Assert.That(viaSingle[i].Decoder, Is.EqualTo(expected.Decoder).AsCollection, layer.Name);
                Assert.That(measured.Layers[i].RelErrorMeasured, Is.EqualTo(ResidualMeasure.RelativeSpectralError(expected, wide)), layer.Name);
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
