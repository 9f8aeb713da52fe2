namespace Alds.Engine.Calibration;

/// <summary>
/// What whitening did for one layer, over all its groups and group counts: the worst method needed and the largest
/// damping used, and how many input vectors the moment was estimated from (fewer than its order: rank-deficient, λ holds it).
/// </summary>
public sealed record LayerWhitening(string Layer, int Order, long Samples, WhiteningMethod Method, double Lambda)
{
    /// <summary>Fewer input vectors than the moment's order: the damping λ alone makes it definite.</summary>
    public bool RankDeficient => Samples < Order;

    internal LayerWhitening Merge(WhiteningFactor f) => new(Layer, Order, Samples,
        (WhiteningMethod)Math.Max((int)Method, (int)f.Method), Math.Max(Lambda, f.Lambda));
}
