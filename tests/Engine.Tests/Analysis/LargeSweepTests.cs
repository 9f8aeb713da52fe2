using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Analysis;

/// <summary>
/// The sweep's large-problem path (Gram order ≥ <c>TridiagonalReduction.BlockedFrom</c>: packed parallel Gram, blocked
/// reduction on all threads, problems one at a time) against LAPACK's singular values of every group, on both Gram
/// sides and mixed with small problems; and bit-identical for 1 and 2 threads.
/// </summary>
public class LargeSweepTests
{
    // 1600×3300: k = 1, 2 are row-side problems of order 1600 (large), k = 3 column-side of order 1100 (small).
    // 3300×1600: k = 1 is a column-side problem of order 1600 (large), k = 2 of order 800.
    [TestCase(1600, 3300, new[] { 1, 2, 3 })]
    [TestCase(3300, 1600, new[] { 1, 2 })]
    public void Curves_AgainstLapack_AndThreadIndependent(int outputs, int inputs, int[] ks)
    {
        Requires.Lapack();
        Assert.That(Math.Min(outputs, inputs), Is.GreaterThanOrEqualTo(Alds.Engine.Linalg.TridiagonalReduction.BlockedFrom));
        var layer = new LayerSpec("fc", LayerKind.Linear, outputs, inputs, 1, 1, "fc.weight", null);
        var rng = new Random(outputs);
        var w = new double[layer.Params];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble() - 0.5;
        // A decaying spectrum on top of noise: rows scaled so the singular values spread over orders of magnitude.
        for (int o = 0; o < outputs; o++)
            for (int c = 0; c < inputs; c++) w[o * inputs + c] *= Math.Exp(-4.0 * o / outputs);

        var two = new CpuSpectralBackend(2).AnalyzeLayer(layer, w, [0], ks);
        var one = new CpuSpectralBackend(1).AnalyzeLayer(layer, w, [0], ks);
        double norm = Lapack.SingularValues(w, outputs, inputs)[0];
        foreach (var k in ks)
        {
            var option = two.Single(o => o.Groups == k);
            var same = one.Single(o => o.Groups == k);
            Assert.That(same.ErrorsMax, Is.EqualTo(option.ErrorsMax), $"k = {k}: 1 and 2 threads differ");
            Assert.That(option.Norm, Is.EqualTo(norm).Within(1e-12 * norm), $"k = {k}: σ₁");
            int n = inputs / k, r = Math.Min(outputs, n);
            var expected = new double[r];
            for (int i = 0; i < k; i++)
            {
                var group = new double[outputs * n];
                for (int o = 0; o < outputs; o++) Array.Copy(w, o * inputs + i * n, group, o * n, n);
                var s = Lapack.SingularValues(group, outputs, n);
                for (int j = 1; j < r; j++) expected[j - 1] = Math.Max(expected[j - 1], s[j] / norm);
            }
            for (int j = 0; j < r; j++)
                Assert.That(option.ErrorsMax[j], Is.EqualTo(expected[j]).Within(1e-10), $"k = {k}, rank {j + 1}");
        }
    }
}
