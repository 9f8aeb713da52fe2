using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Planning;

/// <summary>
/// Seeded synthetic analyses with random decaying error curves, for planner benchmarks
/// (<c>alds bench plan</c>) and tests. Not a model of any real spectrum.
/// </summary>
internal static class SyntheticAnalysis
{
    /// <summary>The 22 convolution shapes of the embedded ResNet18 (15,885,504 weight params).</summary>
    public static IReadOnlyList<(int Out, int In, int K)> ResNet18Shapes { get; } = BuildResNet18Shapes();

    private static (int, int, int)[] BuildResNet18Shapes()
    {
        var s = new List<(int, int, int)> { (64, 3, 7) };
        for (int i = 0; i < 4; i++) s.Add((64, 64, 3));
        s.Add((128, 64, 3));
        for (int i = 0; i < 3; i++) s.Add((128, 128, 3));
        s.Add((128, 64, 1));
        s.Add((256, 128, 3));
        for (int i = 0; i < 3; i++) s.Add((256, 256, 3));
        s.Add((256, 128, 1));
        s.Add((512, 256, 3));
        for (int i = 0; i < 5; i++) s.Add((512, 512, 3));
        s.Add((512, 256, 1));
        return [.. s];
    }

    /// <summary>A ResNet18-shaped analysis: every divisor k of in, the given schemes, random decaying curves.</summary>
    public static ModelAnalysis ResNet18Shaped(int seed, IReadOnlyList<int>? schemes = null)
    {
        schemes ??= [FoldScheme.KernelEncode];
        var rng = new Random(seed);
        var layers = new List<LayerAnalysis>();
        int index = 0;
        foreach (var (o, i, k) in ResNet18Shapes)
        {
            var spec = new LayerSpec($"conv{index}", LayerKind.Conv, o, i, k, k, $"conv{index}.weight", null);
            layers.Add(Layer(spec, schemes, Divisors(i), rng));
            index++;
        }
        return new ModelAnalysis(layers, [.. schemes]);
    }

    /// <summary>Random decaying curves for one layer, for each scheme and group count given.</summary>
    public static LayerAnalysis Layer(LayerSpec spec, IReadOnlyList<int> schemes, IReadOnlyList<int> groups, Random rng, int quantize = 0)
    {
        var options = new List<SchemeOption>();
        foreach (int s in schemes)
        {
            if (spec.Kind == LayerKind.Linear && s != FoldScheme.KernelEncode) continue;
            double decay = 1 + 6 * rng.NextDouble();
            foreach (int g in groups)
            {
                int m = spec.Out * FoldScheme.DecoderTaps(s, spec.Kh, spec.Kw);
                int n = spec.In / g * FoldScheme.EncoderTaps(s, spec.Kh, spec.Kw);
                int r = Math.Min(m, n);
                var max = new double[r];
                var rss = new double[r];
                double start = 0.3 + 0.7 * rng.NextDouble() * Math.Sqrt(1.0 / g + 0.5);
                double rssFactor = 1 + (Math.Sqrt(g) - 1) * rng.NextDouble();
                double prev = double.PositiveInfinity;
                for (int j = 1; j < r; j++)
                {
                    double e = start * Math.Exp(-decay * j / r) * (0.9 + 0.2 * rng.NextDouble());
                    if (quantize > 0) e = Math.Round(e * quantize) / quantize;
                    e = Math.Min(e, prev);
                    prev = e;
                    max[j - 1] = e;
                    rss[j - 1] = e * rssFactor;
                }
                options.Add(new SchemeOption(s, g, 1.0, max, rss));
            }
        }
        return new LayerAnalysis(spec, options);
    }

    /// <summary>The divisors of <paramref name="n"/>, ascending.</summary>
    public static int[] Divisors(int n) => [.. Enumerable.Range(1, n).Where(d => n % d == 0)];
}
