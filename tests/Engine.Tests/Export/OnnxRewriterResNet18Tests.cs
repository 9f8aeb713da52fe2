using Alds.Engine.Export;
using Alds.Engine.Layers;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Export;

/// <summary>The real embedded ResNet18 (IR 3, opset 8), rewritten with full-rank factors for two layers.</summary>
public class OnnxRewriterResNet18Tests
{
    internal static string? FindResNet18()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".nuget", "packages", "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    private static double[] Weight(TensorProto t)
    {
        if (t.FloatData.Count > 0) return [.. t.FloatData.Select(v => (double)v)];
        var raw = t.RawData.Span;
        var w = new double[raw.Length / 4];
        for (int i = 0; i < w.Length; i++) w[i] = BitConverter.ToSingle(raw.Slice(4 * i, 4));
        return w;
    }

    private static LayerSpec Spec(TensorProto t) =>
        new(t.Name, LayerKind.Conv, (int)t.Dims[0], (int)t.Dims[1], (int)t.Dims[2], (int)t.Dims[3], t.Name, null);

    [Test]
    public void Rewrite_TwoResNet18Layers_FullRank_OutputMatchesOriginal()
    {
        var path = FindResNet18();
        Assert.That(path, Is.Not.Null, "ResNet18.onnx not found (build src/Cli or restore the NuGet package)");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path!));
        var g = model.Graph;
        var inits = g.Initializer.ToDictionary(t => t.Name);
        var convs = g.Node.Where(n => n.OpType == "Conv").ToList();
        // The 7×7 stem (stride 2, pad 3, in = 3) and the first strided 3×3 conv.
        var stem = inits[convs[0].Input[1]];
        var strided = convs.Select(n => inits[n.Input[1]]).First(t => t.Dims[2] == 3 &&
            convs.Single(n => n.Input[1] == t.Name).Attribute.Any(a => a.Name == "strides" && a.Ints[0] == 2));
        var a = Spec(stem);
        var b = Spec(strided);
        Assert.That((a.Kh, a.In), Is.EqualTo((7, 3)));

        var fa = GroupSvdFactorizer.Factorize(a, Weight(stem), scheme: 1, groups: 3, GroupSvdFactorizer.FullRank(a, 1, 3));
        var fb = GroupSvdFactorizer.Factorize(b, Weight(strided), scheme: 2, groups: 4, GroupSvdFactorizer.FullRank(b, 2, 4));
        var rewritten = OnnxRewriter.Rewrite(model, [fa, fb], "{\"version\":1}");

        Assert.That(rewritten.Graph.Initializer.Select(t => t.Name), Does.Not.Contain(stem.Name).And.Not.Contain(strided.Name));
        Assert.That(rewritten.Graph.Node, Has.Count.EqualTo(g.Node.Count + 2));
        string input = g.Input.Select(v => v.Name).First(n => !inits.ContainsKey(n));
        long[] shape = [1, 3, 224, 224];
        var x = RandomInput(new Random(2), shape);
        var expected = Run(model, input, x, shape, GraphOptimizationLevel.ORT_DISABLE_ALL);
        AssertClose(Run(rewritten, input, x, shape, GraphOptimizationLevel.ORT_DISABLE_ALL), expected);
        AssertClose(Run(rewritten, input, x, shape, GraphOptimizationLevel.ORT_ENABLE_ALL), expected);
    }
}
