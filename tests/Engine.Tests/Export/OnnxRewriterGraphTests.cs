using Alds.Engine.Decomposition;
using Alds.Engine.Export;
using Alds.Engine.Layers;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Export;

public class OnnxRewriterGraphTests
{
    private static readonly long[] InputShape = [1, 8, 9, 9];

    /// <summary>x → conv1 (8→6, 3×3, pad 1, bias) → Relu → conv2 (6→4, 3×3, stride 2) → y.</summary>
    private static (ModelProto, LayerSpec[], double[][]) Chain()
    {
        var rng = new Random(31);
        var m = NewModel();
        m.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "tests" });
        var g = m.Graph;
        var w1 = Random(rng, 6 * 8 * 9);
        var w2 = Random(rng, 4 * 6 * 9);
        g.Input.Add(Value("x", InputShape));
        g.Output.Add(Value("y", null));
        g.Initializer.Add(Initializer("conv1.weight", [6, 8, 3, 3], w1));
        g.Initializer.Add(Initializer("conv1.bias", [6], Random(rng, 6)));
        g.Initializer.Add(Initializer("conv2.weight", [4, 6, 3, 3], w2));
        g.Node.Add(Node("Conv", "conv1", ["x", "conv1.weight", "conv1.bias"], ["h1"], Ints("pads", 1, 1, 1, 1)));
        g.Node.Add(Node("Relu", "relu", ["h1"], ["h2"]));
        g.Node.Add(Node("Conv", "conv2", ["h2", "conv2.weight"], ["y"], Ints("strides", 2, 2)));
        LayerSpec[] layers =
        [
            new("conv1", LayerKind.Conv, 6, 8, 3, 3, "conv1.weight", "conv1.bias"),
            new("conv2", LayerKind.Conv, 4, 6, 3, 3, "conv2.weight", null),
        ];
        return (m, layers, [w1, w2]);
    }

    private static FactorizedLayer[] FullRank((int Scheme, int Groups) a, (int Scheme, int Groups) b, LayerSpec[] layers, double[][] w) =>
    [
        GroupSvdFactorizer.Factorize(layers[0], w[0], a.Scheme, a.Groups, GroupSvdFactorizer.FullRank(layers[0], a.Scheme, a.Groups)),
        GroupSvdFactorizer.Factorize(layers[1], w[1], b.Scheme, b.Groups, GroupSvdFactorizer.FullRank(layers[1], b.Scheme, b.Groups)),
    ];

    [Test]
    public void Rewrite_TwoLayerChain_MatchesOriginalUnderEveryOptimisationLevel()
    {
        var (model, layers, w) = Chain();
        var rewritten = OnnxRewriter.Rewrite(model, FullRank((2, 2), (3, 2), layers, w));

        var x = RandomInput(new Random(3), InputShape);
        var expected = Run(model, "x", x, InputShape);
        AssertClose(Run(rewritten, "x", x, InputShape, GraphOptimizationLevel.ORT_DISABLE_ALL), expected);
        AssertClose(Run(rewritten, "x", x, InputShape, GraphOptimizationLevel.ORT_ENABLE_ALL), expected);
    }

    [Test]
    public void Rewrite_TwoLayerChain_ReplacesOnlyTheCompressedNodesAndWeights()
    {
        var (model, layers, w) = Chain();
        var rewritten = OnnxRewriter.Rewrite(model, FullRank((0, 2), (1, 1), layers, w), planJson: "{\"version\":1}");
        var g = rewritten.Graph;

        Assert.Multiple(() =>
        {
            Assert.That(g.Node.Select(n => n.Name), Is.EqualTo(new[] { "conv1_alds_enc", "conv1_alds_dec", "relu", "conv2_alds_enc", "conv2_alds_dec" }));
            Assert.That(g.Initializer.Select(t => t.Name), Is.EquivalentTo(new[]
            {
                "conv1.bias", "conv1.encoding.weight", "conv1.decoding.weight", "conv2.encoding.weight", "conv2.decoding.weight",
            }));
            Assert.That(g.Initializer.Single(t => t.Name == "conv1.encoding.weight").Dims, Is.EqualTo(new long[] { 2 * 6, 4, 3, 3 }));
            Assert.That(g.Initializer.Single(t => t.Name == "conv1.decoding.weight").Dims, Is.EqualTo(new long[] { 6, 2 * 6, 1, 1 }));
            Assert.That(g.Initializer.Single(t => t.Name == "conv2.encoding.weight").DataType, Is.EqualTo((int)TensorProto.Types.DataType.Float));
            Assert.That(g.Input, Is.EqualTo(model.Graph.Input));
            Assert.That(g.Output, Is.EqualTo(model.Graph.Output));
            Assert.That(rewritten.IrVersion, Is.EqualTo(model.IrVersion));
            Assert.That(rewritten.OpsetImport, Is.EqualTo(model.OpsetImport));
            Assert.That(rewritten.ProducerName, Is.EqualTo(model.ProducerName));
            Assert.That(rewritten.MetadataProps.Select(p => (p.Key, p.Value)),
                Is.EqualTo(new[] { ("author", "tests"), (OnnxRewriter.PlanMetadataKey, "{\"version\":1}") }));
            var values = g.Node.SelectMany(n => n.Output).ToList();
            Assert.That(values, Is.Unique);
        });
    }

    [Test]
    public void Rewrite_LeavesTheInputModelUnchanged()
    {
        var (model, layers, w) = Chain();
        var before = model.ToByteArray();

        OnnxRewriter.Rewrite(model, FullRank((1, 2), (2, 3), layers, w), "{}");

        Assert.That(model.ToByteArray(), Is.EqualTo(before));
    }

    [Test]
    public void Rewrite_WeightStillReadElsewhere_KeepsTheInitializer()
    {
        var (model, layers, w) = Chain();
        model.Graph.Node.Add(Node("Identity", "keep", ["conv2.weight"], ["w2copy"]));
        model.Graph.Output.Add(Value("w2copy", 4, 6, 3, 3));

        var rewritten = OnnxRewriter.Rewrite(model, FullRank((0, 1), (0, 1), layers, w));

        var names = rewritten.Graph.Initializer.Select(t => t.Name).ToList();
        Assert.That(names, Does.Contain("conv2.weight").And.Not.Contain("conv1.weight"));
        var x = RandomInput(new Random(4), InputShape);
        AssertClose(Run(rewritten, "x", x, InputShape), Run(model, "x", x, InputShape));
    }

    [Test]
    public void Rewrite_NameAlreadyTaken_PicksAFreshOne()
    {
        var (model, layers, w) = Chain();
        model.Graph.Initializer.Add(Initializer("conv1.encoding.weight", [1], [0.0]));
        model.Graph.Node[1].Name = "conv1_alds_enc";

        var g = OnnxRewriter.Rewrite(model, FullRank((0, 1), (0, 1), layers, w)).Graph;

        Assert.That(g.Node.Select(n => n.Name), Is.Unique);
        Assert.That(g.Initializer.Select(t => t.Name), Is.Unique.And.Contain("conv1.encoding.weight_1"));
    }

    [Test]
    public void Rewrite_MissingWeight_ThrowsOneLineModelFormatException()
    {
        var (model, layers, w) = Chain();
        var f = FullRank((0, 1), (0, 1), layers, w)[0];
        var missing = f with { Layer = f.Layer with { WeightTensor = "nope.weight" } };

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.Rewrite(model, [missing]));
        Assert.That(ex!.Message, Does.Contain("nope.weight").And.Not.Contain("\n"));
    }

    [Test]
    public void Rewrite_WeightNotUsedAsAWeight_ThrowsModelFormatException()
    {
        var (model, layers, w) = Chain();
        var f = FullRank((0, 1), (0, 1), layers, w)[0];
        var bias = f with { Layer = f.Layer with { WeightTensor = "conv1.bias" } };

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.Rewrite(model, [bias]));
        Assert.That(ex!.Message, Does.Contain("no Conv, Gemm or MatMul"));
    }

    [Test]
    public void Rewrite_IntegerWeight_ThrowsModelFormatException()
    {
        var (model, layers, w) = Chain();
        model.Graph.Initializer[0].DataType = (int)TensorProto.Types.DataType.Int8;
        var f = FullRank((0, 1), (0, 1), layers, w)[0];

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.Rewrite(model, [f]));
        Assert.That(ex!.Message, Does.Contain("Int8"));
    }

    [Test]
    public void Rewrite_FactorsOfTheWrongLength_ThrowArgumentException()
    {
        var (model, layers, w) = Chain();
        var f = FullRank((0, 1), (0, 1), layers, w)[0];

        Assert.Throws<ArgumentException>(() => OnnxRewriter.Rewrite(model, [f with { Encoder = f.Encoder[1..] }]));
        Assert.Throws<ArgumentException>(() => OnnxRewriter.Rewrite(model, [f with { Groups = 3 }]));
        Assert.Throws<ArgumentException>(() => OnnxRewriter.Rewrite(model, [f, f]));
    }

    [Test]
    public void Rewrite_Float16Weight_WritesFloat16Factors()
    {
        var (model, layers, w) = Chain();
        var src = model.Graph.Initializer.Single(t => t.Name == "conv1.weight");
        src.DataType = (int)TensorProto.Types.DataType.Float16;
        var f = FullRank((1, 2), (0, 1), layers, w)[0];

        var enc = OnnxRewriter.Rewrite(model, [f]).Graph.Initializer.Single(t => t.Name == "conv1.encoding.weight");

        Assert.That(enc.DataType, Is.EqualTo((int)TensorProto.Types.DataType.Float16));
        var raw = enc.RawData.Span;
        Assert.That(raw.Length, Is.EqualTo(2 * f.Encoder.Length));
        for (int i = 0; i < f.Encoder.Length; i += 17)
            Assert.That(BitConverter.ToHalf(raw.Slice(2 * i, 2)), Is.EqualTo((Half)f.Encoder[i]));
    }

    [Test]
    public void ToBFloat16_RoundsToNearestEven()
    {
        Assert.Multiple(() =>
        {
            Assert.That(OnnxTensors.ToBFloat16(1.0f), Is.EqualTo(0x3F80));
            // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0).
            Assert.That(OnnxTensors.ToBFloat16(1.00390625f), Is.EqualTo(0x3F80));
            Assert.That(OnnxTensors.ToBFloat16(1.01171875f), Is.EqualTo(0x3F82));
            Assert.That(OnnxTensors.ToBFloat16(-2.0f), Is.EqualTo(0xC000));
        });
    }
}
