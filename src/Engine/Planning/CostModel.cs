using Alds.Engine.Layers;

namespace Alds.Engine.Planning;

/// <summary>
/// The additive per-layer cost that a budget limits (DESIGN §7). The exact threshold search needs only that a
/// plan's total is the sum of its layers' costs (plus <see cref="Fixed"/>); nothing else is assumed (a cost need
/// not grow with the rank). Costs are integers (params, MACs, nanoseconds) so that totals add exactly.
/// </summary>
public abstract class CostModel
{
    /// <summary>What this model counts.</summary>
    public abstract CostKind Kind { get; }

    /// <summary>The part of every total outside the compressible layers (latency: the rest of the graph); 0 for counts.</summary>
    public virtual long Fixed => 0;

    /// <summary>Cost of <paramref name="layer"/> kept whole.</summary>
    public abstract long Whole(LayerSpec layer);

    /// <summary>
    /// Cost of <paramref name="layer"/> factorised as (scheme, groups, rank); null when this model does not cover that
    /// option (it is then no candidate, and the optimum is exact over the options covered).
    /// </summary>
    public abstract long? Factored(LayerSpec layer, int scheme, int groups, int rank);

    /// <summary>Parameters: <c>params(s,k,j) = j·(k·out·dec + in·enc)</c> (DESIGN §1).</summary>
    public static CostModel Params { get; } = new ParamsCost();

    private sealed class ParamsCost : CostModel
    {
        public override CostKind Kind => CostKind.Params;
        public override long Whole(LayerSpec layer) => layer.Params;
        public override long? Factored(LayerSpec layer, int scheme, int groups, int rank) =>
            Analysis.FoldScheme.Params(scheme, groups, rank, layer.Out, layer.In, layer.Kh, layer.Kw);
    }
}
