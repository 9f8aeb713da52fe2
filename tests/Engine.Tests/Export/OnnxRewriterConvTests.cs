using Alds.Engine.Export;
using Alds.Engine.Layers;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Export;

public class OnnxRewriterConvTests
{
    private const int Out = 6, In = 8;
    private static readonly long[] InputShape = [2, In, 9, 10];

    public sealed record ConvCase(string Name, int Kh, int Kw, long[]? Strides, long[]? Pads, long[]? Dilations, string? AutoPad, bool Bias, bool KernelShape = true)
    {
        public override string ToString() => Name;
    }

    private static readonly ConvCase[] Cases =
    [
        new("3x3_pad1", 3, 3, [1, 1], [1, 1, 1, 1], [1, 1], null, Bias: true),
        new("3x5_stride21_asymPads_dil12", 3, 5, [2, 1], [1, 2, 0, 1], [1, 2], null, Bias: true),
        new("1x1_stride2_noBias", 1, 1, [2, 2], null, null, null, Bias: false),
        new("3x2_sameUpper_stride2", 3, 2, [2, 2], null, null, "SAME_UPPER", Bias: true),
        new("2x3_sameLower_stride32", 2, 3, [3, 2], null, null, "SAME_LOWER", Bias: false),
        new("3x3_valid_stride2_dil2", 3, 3, [2, 2], null, [2, 2], "VALID", Bias: true),
        new("2x2_defaults_noKernelShape", 2, 2, null, null, null, null, Bias: true, KernelShape: false),
    ];

    private static IEnumerable<TestCaseData> AllCases() =>
        from c in Cases from s in new[] { 0, 1, 2, 3 } from k in new[] { 1, 2, 4 }
        select new TestCaseData(c, s, k).SetArgDisplayNames(c.Name, $"s{s}", $"k{k}");

    private static (ModelProto Model, LayerSpec Layer, double[] Weight) Build(ConvCase c, int seed)
    {
        var rng = new Random(seed);
        var m = NewModel();
        var g = m.Graph;
        var w = Random(rng, Out * In * c.Kh * c.Kw);
        g.Input.Add(Value("x", InputShape));
        g.Output.Add(Value("y", null));
        g.Initializer.Add(Initializer("conv.weight", [Out, In, c.Kh, c.Kw], w));
        var inputs = new List<string> { "x", "conv.weight" };
        if (c.Bias)
        {
            g.Initializer.Add(Initializer("conv.bias", [Out], Random(rng, Out)));
            inputs.Add("conv.bias");
        }
        var attrs = new List<AttributeProto>();
        if (c.KernelShape) attrs.Add(Ints("kernel_shape", c.Kh, c.Kw));
        if (c.Strides is not null) attrs.Add(Ints("strides", c.Strides));
        if (c.Pads is not null) attrs.Add(Ints("pads", c.Pads));
        if (c.Dilations is not null) attrs.Add(Ints("dilations", c.Dilations));
        if (c.AutoPad is not null) attrs.Add(String("auto_pad", c.AutoPad));
        g.Node.Add(Node("Conv", "conv", [.. inputs], ["y"], [.. attrs]));
        var layer = new LayerSpec("conv", LayerKind.Conv, Out, In, c.Kh, c.Kw, "conv.weight", c.Bias ? "conv.bias" : null);
        return (m, layer, w);
    }

    [TestCaseSource(nameof(AllCases))]
    public void Rewrite_FullRankConv_MatchesOriginal(ConvCase c, int scheme, int groups)
    {
        var (model, layer, w) = Build(c, seed: 11);
        var f = GroupSvdFactorizer.Factorize(layer, w, scheme, groups, GroupSvdFactorizer.FullRank(layer, scheme, groups));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        var x = RandomInput(new Random(5), InputShape);
        AssertClose(Run(rewritten, "x", x, InputShape), Run(model, "x", x, InputShape));
    }

    [TestCaseSource(nameof(LowRankCases))]
    public void Rewrite_LowRankConv_MatchesConvWithReconstructedWeight(ConvCase c, int scheme, int groups)
    {
        var (model, layer, w) = Build(c, seed: 12);
        int rank = Math.Min(2, GroupSvdFactorizer.FullRank(layer, scheme, groups) - 1);
        var f = GroupSvdFactorizer.Factorize(layer, w, scheme, groups, rank);
        var reference = WithWeight(model, "conv.weight", GroupSvdFactorizer.Reconstruct(f));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        var x = RandomInput(new Random(6), InputShape);
        var expected = Run(reference, "x", x, InputShape);
        AssertClose(Run(rewritten, "x", x, InputShape), expected);
        // The truncation must matter, or this test would not tell Ŵ from W.
        Assert.Throws<AssertionException>(() => AssertClose(Run(model, "x", x, InputShape), expected, 1e-2));
    }

    private static IEnumerable<TestCaseData> LowRankCases() =>
        from c in new[] { Cases[1], Cases[3] } from s in new[] { 0, 1, 2, 3 } from k in new[] { 1, 2, 4 }
        select new TestCaseData(c, s, k).SetArgDisplayNames(c.Name, $"s{s}", $"k{k}");

    [Test]
    public void Rewrite_Scheme1_SplitsAxesBetweenEncoderAndDecoder()
    {
        var (model, layer, w) = Build(Cases[1], seed: 13);
        var f = GroupSvdFactorizer.Factorize(layer, w, scheme: 1, groups: 2, rank: 3);

        var nodes = OnnxRewriter.Rewrite(model, [f]).Graph.Node;

        Assert.That(nodes.Select(n => n.Name), Is.EqualTo(new[] { "conv_alds_enc", "conv_alds_dec" }));
        var (enc, dec) = (nodes[0], nodes[1]);
        long[] A(NodeProto n, string name) => [.. n.Attribute.Single(a => a.Name == name).Ints];
        Assert.Multiple(() =>
        {
            Assert.That(A(enc, "kernel_shape"), Is.EqualTo(new long[] { 1, 5 }));
            Assert.That(A(enc, "strides"), Is.EqualTo(new long[] { 1, 1 }));
            Assert.That(A(enc, "pads"), Is.EqualTo(new long[] { 0, 2, 0, 1 }));
            Assert.That(A(enc, "dilations"), Is.EqualTo(new long[] { 1, 2 }));
            Assert.That(enc.Attribute.Single(a => a.Name == "group").I, Is.EqualTo(2));
            Assert.That(enc.Input, Is.EqualTo(new[] { "x", "conv.encoding.weight" }));
            Assert.That(A(dec, "kernel_shape"), Is.EqualTo(new long[] { 3, 1 }));
            Assert.That(A(dec, "strides"), Is.EqualTo(new long[] { 2, 1 }));
            Assert.That(A(dec, "pads"), Is.EqualTo(new long[] { 1, 0, 0, 0 }));
            Assert.That(A(dec, "dilations"), Is.EqualTo(new long[] { 1, 1 }));
            Assert.That(dec.Input, Is.EqualTo(new[] { enc.Output[0], "conv.decoding.weight", "conv.bias" }));
            Assert.That(dec.Output, Is.EqualTo(new[] { "y" }));
        });
    }

    [Test]
    public void Rewrite_GroupedConv_ThrowsModelFormatException()
    {
        var (model, layer, w) = Build(Cases[0], seed: 14);
        model.Graph.Node[0].Attribute.Add(Int("group", 2));
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, 1, 1);

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.Rewrite(model, [f]));
        Assert.That(ex!.Message, Does.Contain("group = 2").And.Not.Contain("\n"));
    }
}
