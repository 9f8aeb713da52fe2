using System.Text.RegularExpressions;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Layers;

public class LayerDiscoveryTests
{
    private static TensorEntry T(string name, DType type, params long[] shape) => new(name, type, shape);

    private static (IReadOnlyList<LayerSpec> Layers, IReadOnlyList<SkippedTensor> Skipped) Discover(
        LayerFilter? filter = null, params TensorEntry[] tensors) =>
        LayerDiscovery.Discover(tensors, filter ?? LayerFilter.Default);

    [Test]
    public void Discover_ConvWithMatchingBias_ConvLayerWithBias()
    {
        var (layers, skipped) = Discover(null, T("c.weight", DType.F32, 16, 8, 3, 3), T("c.bias", DType.F32, 16));

        Assert.That(layers, Is.EqualTo(new[] { new LayerSpec("c", LayerKind.Conv, 16, 8, 3, 3, "c.weight", "c.bias") }));
        Assert.That(skipped, Is.Empty);
    }

    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    [TestCase(DType.F32)]
    [TestCase(DType.F64)]
    public void Discover_LinearOfEachFloatType_LinearLayer(DType type)
    {
        var (layers, _) = Discover(null, T("fc.weight", type, 10, 20));

        Assert.That(layers, Is.EqualTo(new[] { new LayerSpec("fc", LayerKind.Linear, 10, 20, 1, 1, "fc.weight", null) }));
    }

    [Test]
    public void Discover_BiasOfWrongLength_NotAttachedAndSkipped()
    {
        var (layers, skipped) = Discover(null, T("fc.weight", DType.F32, 10, 20), T("fc.bias", DType.F32, 20));

        Assert.That(layers.Single().BiasTensor, Is.Null);
        Assert.That(skipped, Is.EqualTo(new[] { new SkippedTensor("fc.bias", "1-D tensor (bias or norm)") }));
    }

    [Test]
    public void Discover_NameWithoutWeightSuffix_NameIsTensorNameAndBiasLookedUp()
    {
        var (layers, _) = Discover(null, T("proj", DType.F32, 4, 6), T("proj.bias", DType.F32, 4));

        Assert.That(layers.Single(), Is.EqualTo(new LayerSpec("proj", LayerKind.Linear, 4, 6, 1, 1, "proj", "proj.bias")));
    }

    [TestCase(DType.I64, new long[] { 4, 4 }, "non-float tensor (I64)")]
    [TestCase(DType.U8, new long[] { 4, 4, 3, 3 }, "non-float tensor (U8)")]
    [TestCase(DType.F32, new long[0], "scalar")]
    [TestCase(DType.F32, new long[] { 64 }, "1-D tensor (bias or norm)")]
    [TestCase(DType.F32, new long[] { 64, 1 }, "2-D tensor [64, 1] with a dimension of 1 (nothing to factor)")]
    [TestCase(DType.F32, new long[] { 1, 64 }, "2-D tensor [1, 64] with a dimension of 1 (nothing to factor)")]
    [TestCase(DType.F32, new long[] { 32, 1, 3, 3 }, "4-D tensor [32, 1, 3, 3] with in = 1 (depthwise or single-channel conv)")]
    [TestCase(DType.F32, new long[] { 8, 4, 3 }, "3-D tensor (not a Conv2d or Linear weight)")]
    [TestCase(DType.F32, new long[] { 8, 4, 3, 3, 3 }, "5-D tensor (not a Conv2d or Linear weight)")]
    [TestCase(DType.F32, new long[] { 0, 4 }, "empty tensor [0, 4]")]
    public void Discover_NonLayerTensor_SkippedWithReason(DType type, long[] shape, string reason)
    {
        var (layers, skipped) = Discover(null, new TensorEntry("x", type, shape));

        Assert.That(layers, Is.Empty);
        Assert.That(skipped, Is.EqualTo(new[] { new SkippedTensor("x", reason) }));
    }

    [Test]
    public void Discover_EmbeddingName_ExcludedByDefaultAnyCase()
    {
        var (layers, skipped) = Discover(null, T("model.Embed_tokens.weight", DType.F32, 1000, 64), T("lm_head.weight", DType.F32, 1000, 64));

        Assert.That(layers.Select(l => l.Name), Is.EqualTo(new[] { "lm_head" }));
        Assert.That(skipped.Single().Name, Is.EqualTo("model.Embed_tokens.weight"));
        Assert.That(skipped.Single().Reason, Does.StartWith("embedding"));
    }

    [Test]
    public void Discover_IncludeMatchingEmbedding_OverridesDefaultAndDropsOthers()
    {
        var filter = new LayerFilter(Include: new Regex("embed"));
        var (layers, skipped) = Discover(filter, T("embed.weight", DType.F32, 100, 8), T("fc.weight", DType.F32, 8, 8));

        Assert.That(layers.Select(l => l.Name), Is.EqualTo(new[] { "embed" }));
        Assert.That(skipped.Single(), Is.EqualTo(new SkippedTensor("fc.weight", "not matched by include pattern 'embed'")));
    }

    [Test]
    public void Discover_ExcludePattern_RemovesMatchesEvenWhenIncluded()
    {
        var filter = new LayerFilter(Include: new Regex("^layer"), Exclude: new Regex(@"\.dw$"));
        var (layers, skipped) = Discover(filter,
            T("layer1.dw.weight", DType.F32, 32, 4, 3, 3), T("layer1.pw.weight", DType.F32, 64, 32, 1, 1), T("layer1.pw.bias", DType.F32, 64));

        Assert.That(layers.Select(l => l.Name), Is.EqualTo(new[] { "layer1.pw" }));
        Assert.That(layers[0].BiasTensor, Is.EqualTo("layer1.pw.bias"));
        Assert.That(skipped.Single().Name, Is.EqualTo("layer1.dw.weight"));
        Assert.That(skipped.Single().Reason, Does.Contain("excluded"));
    }

    [Test]
    public void Discover_ExcludedLayerWithBias_BiasListedAsSkipped()
    {
        var filter = new LayerFilter(Exclude: new Regex("head"));
        var (layers, skipped) = Discover(filter, T("head.weight", DType.F32, 4, 4), T("head.bias", DType.F32, 4));

        Assert.That(layers, Is.Empty);
        Assert.That(skipped.Select(s => s.Name), Is.EqualTo(new[] { "head.bias", "head.weight" }));
    }

    [Test]
    public void Discover_ShuffledInput_OrdinalOrderAndEveryTensorAccountedFor()
    {
        var tensors = new List<TensorEntry>
        {
            T("b.weight", DType.F32, 8, 8), T("B.weight", DType.F32, 8, 8), T("a.weight", DType.F16, 8, 4, 3, 3),
            T("a.bias", DType.F16, 8), T("norm.weight", DType.F32, 8), T("steps", DType.I64),
            T("a10.weight", DType.F32, 5, 5), T("a2.weight", DType.F32, 5, 5),
        };
        var expectedNames = new[] { "B", "a", "a10", "a2", "b" };
        for (int seed = 0; seed < 5; seed++)
        {
            var shuffled = tensors.ToArray();
            new Random(seed).Shuffle(shuffled);
            var (layers, skipped) = LayerDiscovery.Discover(shuffled, LayerFilter.Default);

            Assert.That(layers.Select(l => l.Name), Is.EqualTo(expectedNames));
            Assert.That(skipped.Select(s => s.Name), Is.EqualTo(new[] { "norm.weight", "steps" }));
            var covered = layers.Select(l => l.WeightTensor).Concat(layers.Select(l => l.BiasTensor).OfType<string>()).Concat(skipped.Select(s => s.Name));
            Assert.That(covered, Is.EquivalentTo(tensors.Select(t => t.Name)));
        }
    }

    [Test]
    public void Discover_LayerNameCollision_SecondSkipped()
    {
        var (layers, skipped) = Discover(null, T("x", DType.F32, 4, 4), T("x.weight", DType.F32, 4, 4));

        Assert.That(layers.Single().WeightTensor, Is.EqualTo("x"));
        Assert.That(skipped.Single().Name, Is.EqualTo("x.weight"));
    }

    [Test]
    public void Discover_DuplicateTensorName_Throws() =>
        Assert.Throws<ArgumentException>(() => Discover(null, T("w", DType.F32, 4, 4), T("w", DType.F32, 4, 4)));
}
