using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

/// <summary>Small seeded random instances and a brute-force oracle written independently of the planner.</summary>
internal static class PlanningInstances
{
    private const long MaxCombinations = 60_000;

    /// <summary>
    /// 2–4 small layers, 1–2 schemes (all four with <paramref name="allSchemes"/>, and then kernels kh×kw with
    /// kh ≠ kw possible, so that the split schemes 1 and 2 differ), all divisors k; every other instance has
    /// quantised (tied) errors.
    /// </summary>
    public static ModelAnalysis Small(int seed, bool allSchemes = false)
    {
        var rng = new Random(seed);
        int count = rng.Next(2, 5);
        int[] schemes = rng.Next(2) == 0 ? [0] : [0, 3];
        if (allSchemes) schemes = [0, 1, 2, 3];
        int quantize = seed % 2 == 0 ? 8 : 0;
        var layers = new List<LayerAnalysis>();
        long combinations = 1;
        for (int l = 0; l < count; l++)
        {
            int o = rng.Next(1, 11), i = new[] { 1, 2, 3, 4, 6, 8 }[rng.Next(6)], k = rng.Next(1, 4);
            bool linear = rng.Next(4) == 0;
            int kw = allSchemes ? rng.Next(1, 4) : k;
            var spec = new LayerSpec($"layer{l}", linear ? LayerKind.Linear : LayerKind.Conv, o, i, linear ? 1 : k, linear ? 1 : kw, $"layer{l}.weight", null);
            var layer = SyntheticAnalysis.Layer(spec, schemes, SyntheticAnalysis.Divisors(i), rng, quantize);
            long n = RawOptions(layer, ErrorMeasure.Max, 1, false).Count;
            if (layers.Count >= 2 && combinations * n > MaxCombinations) break; // keeps brute force fast
            combinations *= n;
            layers.Add(layer);
        }
        return new ModelAnalysis(layers, schemes);
    }

    /// <summary>Every (scheme, k, j) of a layer plus "keep", straight from the curves (no pruning).</summary>
    public static List<(long Params, double Error, int Groups, int Rank)> RawOptions(LayerAnalysis la, ErrorMeasure measure, int align, bool k1Only)
    {
        var spec = la.Layer;
        var list = new List<(long, double, int, int)> { (spec.Params, 0.0, 1, 0) };
        foreach (var o in la.Options)
        {
            if (k1Only && o.Groups != 1) continue;
            var curve = measure == ErrorMeasure.Max ? o.ErrorsMax : o.ErrorsRss;
            for (int j = 1; j <= curve.Length; j++)
            {
                if (j % align != 0) continue;
                long p = (long)j * ((long)o.Groups * spec.Out * FoldScheme.DecoderTaps(o.Scheme, spec.Kh, spec.Kw)
                                    + (long)spec.In * FoldScheme.EncoderTaps(o.Scheme, spec.Kh, spec.Kw));
                if (p < spec.Params) list.Add((p, curve[j - 1], o.Groups, j));
            }
        }
        return list;
    }

    /// <summary>
    /// Over every combination: the smallest max error within <paramref name="budget"/> (null if none), and
    /// for a given cap the smallest total params with every error ≤ cap.
    /// </summary>
    public static (double? MinMax, long MinParamsAt) BruteForce(ModelAnalysis a, long budget, ErrorMeasure measure,
        int align = 1, bool k1Only = false, double? cap = null)
    {
        var opts = a.Layers.Select(l => RawOptions(l, measure, align, k1Only)).ToArray();
        double? best = null;
        long minAt = long.MaxValue;
        var idx = new int[opts.Length];
        while (true)
        {
            long p = 0;
            double e = 0;
            for (int l = 0; l < opts.Length; l++) { p += opts[l][idx[l]].Params; e = Math.Max(e, opts[l][idx[l]].Error); }
            if (p <= budget && (best is null || e < best)) best = e;
            if (cap is double c && e <= c && p < minAt) minAt = p;
            int d = 0;
            while (d < idx.Length && ++idx[d] == opts[d].Count) { idx[d] = 0; d++; }
            if (d == idx.Length) break;
        }
        return (best, minAt);
    }

    /// <summary>Smallest reachable total (every layer at its cheapest raw option).</summary>
    public static long Cheapest(ModelAnalysis a, ErrorMeasure m, int align = 1, bool k1Only = false) =>
        a.Layers.Sum(l => RawOptions(l, m, align, k1Only).Min(o => o.Params));

    /// <summary>A random budget between the cheapest reachable total and the original size.</summary>
    public static long RandomBudget(ModelAnalysis a, Random rng, ErrorMeasure m = ErrorMeasure.Max, int align = 1)
    {
        long lo = Cheapest(a, m, align, false), hi = Planner.ParamsBefore(a);
        return lo + (long)((hi - lo) * rng.NextDouble());
    }
}
