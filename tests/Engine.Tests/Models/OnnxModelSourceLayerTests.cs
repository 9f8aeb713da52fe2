using System.Text.RegularExpressions;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using static Alds.Engine.Tests.Models.OnnxModelBuilder;

namespace Alds.Engine.Tests.Models;

public class OnnxModelSourceLayerTests
{
    private TempDir _dir = null!;

    [SetUp]
    public void CreateDir() => _dir = new TempDir();

    [TearDown]
    public void DeleteDir() => _dir.Dispose();

    private OnnxModelSource Open(OnnxModelBuilder b, LayerFilter? filter = null) => new(b.Write(_dir.Path), filter);

    [Test]
    public void Layers_GemmTransB1_CanonicalWithBias()
    {
        var b = new OnnxModelBuilder()
            .Float("fc.weight", [2, 3], [1, 2, 3, 4, 5, 6])
            .Float("fc.bias", [2], [7, 8])
            .Node("Gemm", ["x", "fc.weight", "fc.bias"], ["y"], Int("transB", 1));
        using var src = Open(b);

        var layer = src.Layers.Single();
        Assert.That(layer, Is.EqualTo(new LayerSpec("fc", LayerKind.Linear, 2, 3, 1, 1, "fc.weight", "fc.bias")));
        Assert.That(src.Skipped, Is.Empty);
        var w = new double[6];
        src.ReadWeight(layer, w);
        Assert.That(w, Is.EqualTo(new double[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void Layers_GemmTransB0_TransposedAndReadCanonically()
    {
        // B stored [in = 3, out = 2]: rows (1,2), (3,4), (5,6); canonical [out, in] = (1,3,5), (2,4,6).
        var b = new OnnxModelBuilder()
            .Float("B", [3, 2], [1, 2, 3, 4, 5, 6])
            .Node("Gemm", ["x", "B"], ["y"]);
        using var src = Open(b);

        var layer = src.Layers.Single();
        Assert.That(layer, Is.EqualTo(new LayerSpec("B", LayerKind.Linear, 2, 3, 1, 1, "B", null, WeightLayout.Transposed)));
        var w = new double[6];
        src.ReadWeight(layer, w);
        Assert.That(w, Is.EqualTo(new double[] { 1, 3, 5, 2, 4, 6 }));
    }

    [Test]
    public void Layers_GemmWithTwoDimensionalC_NoBiasTensor()
    {
        var b = new OnnxModelBuilder()
            .Ramp("W", 3, 4).Ramp("C", 1, 4)
            .Node("Gemm", ["x", "W", "C"], ["y"]);
        using var src = Open(b);

        Assert.That(src.Layers.Single().BiasTensor, Is.Null);
        Assert.That(src.Skipped, Is.EqualTo(new[] { new SkippedTensor("C", "not used as a Conv/Gemm/MatMul weight") }));
    }

    [Test]
    public void Layers_GemmTransA1_Skipped()
    {
        var b = new OnnxModelBuilder().Ramp("W", 3, 4).Node("Gemm", ["x", "W"], ["y"], Int("transA", 1));
        using var src = Open(b);

        Assert.That(src.Layers, Is.Empty);
        Assert.That(src.Skipped.Single().Reason, Is.EqualTo("Gemm with transA = 1"));
    }

    [Test]
    public void Layers_MatMulThenAdd_BiasFromTheAdd()
    {
        // Add takes the bias first: the side must not matter.
        var b = new OnnxModelBuilder()
            .Float("proj.weight", [3, 2], [1, 2, 3, 4, 5, 6])
            .Float("proj.bias", [2], [0.5f, -0.5f])
            .Node("MatMul", ["x", "proj.weight"], ["h"])
            .Node("Add", ["proj.bias", "h"], ["y"]);
        using var src = Open(b);

        var layer = src.Layers.Single();
        Assert.That(layer, Is.EqualTo(new LayerSpec("proj", LayerKind.Linear, 2, 3, 1, 1, "proj.weight", "proj.bias", WeightLayout.Transposed)));
        Assert.That(src.Bindings.Single().BiasAdd!.OpType, Is.EqualTo("Add"));
        Assert.That(src.Skipped, Is.Empty);
        var w = new double[6];
        src.ReadWeight(layer, w);
        Assert.That(w, Is.EqualTo(new double[] { 1, 3, 5, 2, 4, 6 }));
    }

    [Test]
    public void Layers_MatMulOutputUsedTwice_NoBias()
    {
        var b = new OnnxModelBuilder()
            .Ramp("W", 3, 2).Ramp("c", 2)
            .Node("MatMul", ["x", "W"], ["h"])
            .Node("Add", ["h", "c"], ["y"])
            .Node("Relu", ["h"], ["z"]);
        using var src = Open(b);

        Assert.That(src.Layers.Single().BiasTensor, Is.Null);
        Assert.That(src.Bindings.Single().BiasAdd, Is.Null);
        Assert.That(src.Skipped.Single(), Is.EqualTo(new SkippedTensor("c", "1-D tensor (bias or norm)")));
    }

    [Test]
    public void Layers_MatMulAddWithWrongLength_NoBias()
    {
        var b = new OnnxModelBuilder()
            .Ramp("W", 3, 2).Ramp("c", 3)
            .Node("MatMul", ["x", "W"], ["h"])
            .Node("Add", ["h", "c"], ["y"]);
        using var src = Open(b);

        Assert.That(src.Layers.Single().BiasTensor, Is.Null);
    }

    [Test]
    public void Layers_ConvWithBias_ShapeAndBias()
    {
        var b = new OnnxModelBuilder()
            .Ramp("conv.weight", 8, 4, 3, 5).Ramp("conv.bias", 8)
            .Node("Conv", ["x", "conv.weight", "conv.bias"], ["y"], Int("group", 1));
        using var src = Open(b);

        Assert.That(src.Layers.Single(), Is.EqualTo(new LayerSpec("conv", LayerKind.Conv, 8, 4, 3, 5, "conv.weight", "conv.bias")));
        Assert.That(src.Skipped, Is.Empty);
        var w = new double[8 * 4 * 3 * 5];
        src.ReadWeight(src.Layers[0], w);
        Assert.That(w, Is.EqualTo(Enumerable.Range(0, w.Length).Select(i => (double)i)));
    }

    [Test]
    public void Layers_BiasComputedOrShared_LayerKeptWithoutBiasTensor()
    {
        var b = new OnnxModelBuilder()
            .Ramp("conv.weight", 8, 4, 1, 1).Ramp("W1", 3, 4).Ramp("W2", 3, 4).Ramp("c", 4)
            .Node("Conv", ["x", "conv.weight", "computed_bias"], ["y"])
            .Node("Gemm", ["x", "W1", "c"], ["y1"])
            .Node("Gemm", ["x", "W2", "c"], ["y2"]);
        using var src = Open(b);

        Assert.That(src.Layers.Select(l => (l.Name, l.BiasTensor)), Is.EqualTo(new (string, string?)[] { ("conv", null), ("W1", null), ("W2", null) }));
        Assert.That(src.Skipped, Is.EqualTo(new[] { new SkippedTensor("c", "1-D tensor (bias or norm)") }));
    }

    [Test]
    public void Layers_GroupedConv_SkippedWithGroupCount()
    {
        var b = new OnnxModelBuilder()
            .Ramp("dw", 8, 2, 3, 3)
            .Node("Conv", ["x", "dw"], ["y"], Int("group", 4));
        using var src = Open(b);

        Assert.That(src.Layers, Is.Empty);
        Assert.That(src.Skipped.Single(), Is.EqualTo(new SkippedTensor("dw", "grouped/depthwise conv (group = 4)")));
    }

    [Test]
    public void Layers_ConvWithOneInputChannel_Skipped()
    {
        var b = new OnnxModelBuilder().Ramp("w", 8, 1, 3, 3).Node("Conv", ["x", "w"], ["y"]);
        using var src = Open(b);

        Assert.That(src.Layers, Is.Empty);
        Assert.That(src.Skipped.Single().Reason, Does.Contain("in = 1"));
    }

    [Test]
    public void Layers_Conv1d_Skipped()
    {
        var b = new OnnxModelBuilder().Ramp("w", 8, 4, 3).Node("Conv", ["x", "w"], ["y"]);
        using var src = Open(b);

        Assert.That(src.Layers, Is.Empty);
        Assert.That(src.Skipped.Single().Reason, Does.StartWith("3-D Conv weight"));
    }

    [Test]
    public void Layers_WeightSharedByTwoNodes_SkippedAsShared()
    {
        var b = new OnnxModelBuilder()
            .Ramp("tied", 4, 4)
            .Node("MatMul", ["x", "tied"], ["h"])
            .Node("MatMul", ["h", "tied"], ["y"]);
        using var src = Open(b);

        Assert.That(src.Layers, Is.Empty);
        Assert.That(src.Skipped.Single(), Is.EqualTo(new SkippedTensor("tied", "weight shared by 2 uses (not compressible)")));
    }

    [Test]
    public void Layers_WeightAlsoUsedInsideSubgraph_SkippedAsShared()
    {
        var b = new OnnxModelBuilder().Ramp("w", 4, 4).Node("MatMul", ["x", "w"], ["y"]);
        var branch = new Onnx.GraphProto { Name = "then", Node = { new Onnx.NodeProto { OpType = "Identity", Input = { "w" }, Output = { "o" } } } };
        b.Node("If", ["cond"], ["z"], new Onnx.AttributeProto { Name = "then_branch", Type = Onnx.AttributeProto.Types.AttributeType.Graph, G = branch });
        using var src = Open(b);

        Assert.That(src.Layers, Is.Empty);
        Assert.That(src.Skipped.Single().Reason, Does.Contain("shared"));
    }

    [Test]
    public void Layers_SeveralNodes_InGraphOrderAndEveryInitializerAccountedFor()
    {
        var b = new OnnxModelBuilder()
            .Ramp("z.weight", 4, 3, 3, 3).Ramp("a.weight", 5, 4).Ramp("scale", 4).Ramp("shape", 2, 1)
            .Node("Conv", ["x", "z.weight"], ["h"])
            .Node("Mul", ["h", "scale"], ["h2"])
            .Node("Reshape", ["h2", "shape"], ["h3"])
            .Node("Gemm", ["h3", "a.weight"], ["y"], Int("transB", 1));
        using var src = Open(b);

        Assert.That(src.Layers.Select(l => l.Name), Is.EqualTo(new[] { "z", "a" }));
        Assert.That(src.Skipped, Is.EqualTo(new[]
        {
            new SkippedTensor("scale", "1-D tensor (bias or norm)"),
            new SkippedTensor("shape", "not used as a Conv/Gemm/MatMul weight"),
        }));
    }

    [Test]
    public void Layers_ExcludeFilter_LayerMovesToSkipped()
    {
        var b = new OnnxModelBuilder()
            .Ramp("head.weight", 4, 3).Ramp("body.weight", 4, 3)
            .Node("Gemm", ["x", "head.weight"], ["y"], Int("transB", 1))
            .Node("Gemm", ["x", "body.weight"], ["z"], Int("transB", 1));
        using var src = Open(b, new LayerFilter(Exclude: new Regex("^head")));

        Assert.That(src.Layers.Select(l => l.Name), Is.EqualTo(new[] { "body" }));
        Assert.That(src.Skipped.Single().Name, Is.EqualTo("head.weight"));
        Assert.That(src.Skipped.Single().Reason, Does.Contain("excluded"));
    }

    [Test]
    public void Layers_EmbedNamedMatMul_ExcludedByDefaultIncludedOnRequest()
    {
        var b = new OnnxModelBuilder().Ramp("embed_proj", 4, 3).Node("MatMul", ["x", "embed_proj"], ["y"]);
        string path = b.Write(_dir.Path);

        using (var byDefault = new OnnxModelSource(path))
            Assert.That(byDefault.Layers, Is.Empty);
        using var included = new OnnxModelSource(path, new LayerFilter(Include: new Regex("embed")));
        Assert.That(included.Layers.Single().Name, Is.EqualTo("embed_proj"));
    }

    [Test]
    public void ReadWeight_LayerOfAnotherShape_Throws()
    {
        var b = new OnnxModelBuilder().Ramp("W", 3, 2).Node("MatMul", ["x", "W"], ["y"]);
        using var src = Open(b);
        var wrong = src.Layers[0] with { Layout = WeightLayout.Canonical };

        Assert.Throws<ArgumentException>(() => src.ReadWeight(wrong, new double[6]));
        Assert.Throws<ArgumentException>(() => src.ReadWeight(src.Layers[0], new double[5]));
    }
}
