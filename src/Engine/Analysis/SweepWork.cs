using Alds.Engine.Layers;

namespace Alds.Engine.Analysis;

/// <summary>
/// The arithmetic a layer's sweep costs, in multiply-adds, to weigh progress and estimate the time left: for every
/// scheme and candidate <c>k</c>, the groups' Grams (<c>m·n·p</c> each, <c>p = min(m, n)</c>) and their symmetric
/// eigenvalue problems (<c>4/3·p³</c> each). Level reuse makes the real Gram cost lower; the estimate only needs to
/// rank layers in proportion.
/// </summary>
public static class SweepWork
{
    /// <summary>The multiply-adds of <paramref name="layer"/>'s sweep under <paramref name="options"/>.</summary>
    public static double Estimate(LayerSpec layer, SweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(options);
        double work = 0;
        foreach (var scheme in GroupCounts.Schemes(layer, options.Schemes))
        {
            var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
            foreach (var k in GroupCounts.Candidates(layer, scheme, options.MaxGroups))
            {
                double m = fold.Rows, n = fold.Columns / k, p = Math.Min(m, n);
                work += k * (m * n * p + 4.0 / 3.0 * p * p * p);
            }
        }
        return work;
    }
}
