using Alds.Engine.Analysis;
using Alds.Engine.Models;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Analysis;

/// <summary>The sweep on real ImageNet-trained weights against LAPACK dgesdd of every group.</summary>
public class ResNet18SweepOracleTests
{
    private static string ModelPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    // Parameter91: the 64×3×7×7 stem; Parameter10: a 512×512×3×3 layer (k = 1 row Gram, k = 64 column Gram).
    [TestCase("Parameter91", 0, new[] { 1, 3 })]
    [TestCase("Parameter91", 1, new[] { 1, 3 })]
    [TestCase("Parameter10", 0, new[] { 1, 8, 64 })]
    [TestCase("Parameter10", 3, new[] { 2, 32 })]
    public void AnalyzeLayer_RealWeights_MatchesLapack(string weight, int scheme, int[] ks)
    {
        Assert.That(File.Exists(ModelPath), "embedded ResNet18 not found next to the tests (a build fault, not a missing oracle)");
        using var source = ModelSources.Open(ModelPath);
        var layer = source.Layers.Single(l => l.WeightTensor == weight);
        var w = new double[layer.Params];
        source.ReadWeight(layer, w);
        using var backend = new CpuSpectralBackend();
        var options = backend.AnalyzeLayer(layer, w, [scheme], ks);

        var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
        var f = new double[w.Length];
        fold.Apply(w, f);
        double norm = Lapack.SingularValues(f, fold.Rows, fold.Columns)[0];
        foreach (var option in options)
        {
            int k = option.Groups, n = fold.Columns / k;
            Assert.That(option.Norm, Is.EqualTo(norm).Within(1e-12 * norm));
            var groups = Enumerable.Range(0, k).Select(i =>
            {
                var g = new double[fold.Rows * n];
                for (int r = 0; r < fold.Rows; r++) Array.Copy(f, r * fold.Columns + i * n, g, r * n, n);
                return Lapack.SingularValues(g, fold.Rows, n);
            }).ToArray();
            int rank = groups[0].Length;
            for (int j = 1; j < rank; j++)
            {
                // Gram route on float64: absolute error ≲ 1e-12 on these curves (stated contract: 1e-9 here).
                Assert.That(option.ErrorsMax[j - 1], Is.EqualTo(groups.Max(s => s[j]) / norm).Within(1e-9), $"k={k} j={j}");
                Assert.That(option.ErrorsRss[j - 1], Is.EqualTo(Math.Sqrt(groups.Sum(s => s[j] * s[j])) / norm).Within(1e-9), $"k={k} j={j}");
            }
            Assert.That(option.ErrorsMax[rank - 1], Is.Zero);
        }
    }
}
