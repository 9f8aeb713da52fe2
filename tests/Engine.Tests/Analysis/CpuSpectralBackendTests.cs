using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Analysis;

public class CpuSpectralBackendTests
{
    /// <summary>Group i of scheme s built the torchprune way: slice channels, then permute and reshape.</summary>
    private static double[] GroupMatrix(double[] w, LayerSpec l, int scheme, int k, int i, out int rows, out int cols)
    {
        int c0 = i * (l.In / k), cin = l.In / k;
        var (ekh, ekw) = FoldScheme.EncoderKernel(scheme, l.Kh, l.Kw);
        rows = l.Out * FoldScheme.DecoderTaps(scheme, l.Kh, l.Kw);
        cols = cin * ekh * ekw;
        var g = new double[rows * cols];
        for (int o = 0; o < l.Out; o++)
            for (int c = 0; c < cin; c++)
                for (int y = 0; y < l.Kh; y++)
                    for (int x = 0; x < l.Kw; x++)
                    {
                        // torchprune: scheme 1 permutes to [out, kh, kw, in] and reshapes (out·kh) × (kw·in), etc.
                        var (r, col) = scheme switch
                        {
                            0 => (o, (c * l.Kh + y) * l.Kw + x),
                            1 => (o * l.Kh + y, x * cin + c),
                            2 => (o * l.Kw + x, y * cin + c),
                            _ => ((o * l.Kh + y) * l.Kw + x, c),
                        };
                        g[r * cols + col] = w[((o * l.In + c0 + c) * l.Kh + y) * l.Kw + x];
                    }
        return g;
    }

    private static double[] RandomWeight(LayerSpec l, int seed, double decay = 0.0)
    {
        var rng = new Random(seed);
        var w = new double[l.Params];
        for (int q = 0; q < w.Length; q++) w[q] = (rng.NextDouble() - 0.5) * Math.Exp(-decay * (q % 7));
        return w;
    }

    [TestCase(8, 12, 3, 3, 0)]
    [TestCase(8, 12, 3, 3, 1)]
    [TestCase(8, 12, 3, 3, 2)]
    [TestCase(8, 12, 3, 3, 3)]
    [TestCase(40, 16, 3, 1, 1)]
    [TestCase(5, 24, 1, 1, 0)]
    [TestCase(64, 8, 2, 3, 3)]
    public void AnalyzeLayer_RandomWeight_MatchesLapackPerGroup(int outCh, int inCh, int kh, int kw, int scheme)
    {
        var layer = new LayerSpec("l", LayerKind.Conv, outCh, inCh, kh, kw, "l.weight", null);
        var w = RandomWeight(layer, 1234 + scheme);
        var ks = Enumerable.Range(1, inCh).Where(k => inCh % k == 0).ToArray();
        using var backend = new CpuSpectralBackend();
        var options = backend.AnalyzeLayer(layer, w, [scheme], ks);

        var whole = Lapack.SingularValues(GroupMatrix(w, layer, scheme, 1, 0, out var rr, out var cc), rr, cc);
        double norm = whole[0];
        Assert.That(options.Select(o => o.Groups), Is.EqualTo(ks));
        foreach (var option in options)
        {
            int k = option.Groups;
            var groups = Enumerable.Range(0, k).Select(i => Lapack.SingularValues(GroupMatrix(w, layer, scheme, k, i, out var m, out var n), m, n)).ToArray();
            int r = groups[0].Length;
            Assert.That(option.ErrorsMax, Has.Length.EqualTo(r));
            Assert.That(option.Norm, Is.EqualTo(norm).Within(1e-12 * norm));
            for (int j = 1; j <= r; j++)
            {
                double expectMax = j < r ? groups.Max(s => s[j]) / norm : 0;
                double expectRss = j < r ? Math.Sqrt(groups.Sum(s => s[j] * s[j])) / norm : 0;
                // Gram route: absolute accuracy about sqrt(eps) near zero, 1e-12 above 1e-6 (the precision contract).
                Assert.That(option.ErrorsMax[j - 1], Is.EqualTo(expectMax).Within(1e-9), $"k={k} j={j}");
                Assert.That(option.ErrorsRss[j - 1], Is.EqualTo(expectRss).Within(1e-9), $"k={k} j={j}");
            }
        }
    }

    [Test]
    public void AnalyzeLayer_ZeroWeight_GivesZeroCurvesNotNaN()
    {
        var layer = new LayerSpec("z", LayerKind.Conv, 6, 4, 3, 3, "z.weight", null);
        using var backend = new CpuSpectralBackend();
        var options = backend.AnalyzeLayer(layer, new double[layer.Params], [0], [1, 2, 4]);
        Assert.That(options.SelectMany(o => o.ErrorsMax.Concat(o.ErrorsRss)), Is.All.EqualTo(0.0));
        Assert.That(options.Select(o => o.Norm), Is.All.EqualTo(0.0));
    }

    [Test]
    public void AnalyzeLayer_AnyThreadCount_BitIdentical()
    {
        var layer = new LayerSpec("p", LayerKind.Conv, 24, 16, 3, 3, "p.weight", null);
        var w = RandomWeight(layer, 7, 0.3);
        int[] ks = [1, 2, 4, 8, 16];
        using var one = new CpuSpectralBackend(1);
        using var many = new CpuSpectralBackend(4);
        var a = one.AnalyzeLayer(layer, w, [0, 3], ks);
        var b = many.AnalyzeLayer(layer, w, [0, 3], ks);
        Assert.That(a.Count, Is.EqualTo(b.Count));
        for (int q = 0; q < a.Count; q++)
        {
            Assert.That(b[q].ErrorsMax, Is.EqualTo(a[q].ErrorsMax).AsCollection);
            Assert.That(b[q].ErrorsRss, Is.EqualTo(a[q].ErrorsRss).AsCollection);
        }
    }
}
