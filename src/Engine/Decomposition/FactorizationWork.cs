using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Decomposition;

/// <summary>
/// The arithmetic a layer's factorisation costs, in multiply-adds, to weigh progress and estimate the time left:
/// per group a Gram (<c>m·n·p</c>), its tridiagonal reduction (<c>4/3·p³</c>), the back-transformation of the
/// <c>j</c> vectors (<c>2·p²·j</c>) and the product that gives the other side (<c>m·n·j</c>).
/// </summary>
public static class FactorizationWork
{
    /// <summary>The multiply-adds of factorising <paramref name="layer"/> as (<paramref name="scheme"/>, <paramref name="groups"/>, <paramref name="rank"/>).</summary>
    public static double Estimate(LayerSpec layer, int scheme, int groups, int rank)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
        double m = fold.Rows, n = fold.Columns / (double)groups, p = Math.Min(m, n), j = rank;
        return groups * (m * n * p + 4.0 / 3.0 * p * p * p + 2 * p * p * j + m * n * j);
    }
}
