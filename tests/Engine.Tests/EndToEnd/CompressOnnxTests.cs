using Alds.Engine.Tests.Cli;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary><c>alds compress -o x.onnx</c>: ONNX Runtime loads the rewritten ResNet18 and it gives outputs of the original's shape.</summary>
public class CompressOnnxTests
{
    /// <summary>Three small layers keep the factorisation cheap; the graph rewrite is the same for any count.</summary>
    internal const string FewLayers = "^Parameter(91|86|199)$";

    private static (string name, int[] shape, float[] values)[] RunOnce(string model)
    {
        using var session = new InferenceSession(model);
        var input = session.InputMetadata.Single();
        var dims = input.Value.Dimensions.Select(d => d > 0 ? d : 1).ToArray();
        var rng = new Random(3);
        var data = new float[dims.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<float>(data, dims))]);
        return [.. results.Select(r =>
        {
            var t = r.AsTensor<float>();
            return (r.Name, t.Dimensions.ToArray(), t.ToArray());
        })];
    }

    [Test]
    public void CompressToOnnx_OnnxRuntimeRunsItWithTheOriginalsOutputShape()
    {
        var (path, plan) = ResNet18Workspace.Compressed("few.onnx", "--keep", "0.5", "--include", FewLayers);
        Assert.That(plan.GetProperty("layers").EnumerateArray().Count(l => l.GetProperty("compressed").GetBoolean()), Is.Positive);

        var original = RunOnce(AldsRunner.EmbeddedModel);
        var compressed = RunOnce(path);
        Assert.That(compressed.Select(o => o.name), Is.EqualTo(original.Select(o => o.name)));
        for (int i = 0; i < original.Length; i++)
        {
            Assert.That(compressed[i].shape, Is.EqualTo(original[i].shape), original[i].name);
            Assert.That(compressed[i].values.All(float.IsFinite), Is.True, original[i].name);
        }
    }
}
