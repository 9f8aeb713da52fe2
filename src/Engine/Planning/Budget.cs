namespace Alds.Engine.Planning;

/// <summary>
/// A global budget: <see cref="Params"/> is the largest allowed total, in units of <see cref="Kind"/>
/// (params or MACs of the compressible layers; for latency, nanoseconds of the whole model, the rest of the graph
/// included); <see cref="Keep"/> is the ratio it came from, when it did.
/// </summary>
public sealed record Budget(long Params, double? Keep)
{
    /// <summary>What <see cref="Params"/> counts (default: parameters).</summary>
    public CostKind Kind { get; init; } = CostKind.Params;

    /// <summary>
    /// <c>floor(keep × before) + fixedPart</c> in units of <paramref name="kind"/>: the ratio is of the compressible
    /// layers' cost (<paramref name="before"/>), as for params; <paramref name="fixedPart"/> (latency: the rest of the
    /// graph) is added unchanged, so the limit is a whole-model total.
    /// </summary>
    public static Budget FromKeep(double keep, long before, CostKind kind, long fixedPart = 0)
    {
        var b = FromKeep(keep, before);
        return b with { Params = checked(b.Params + fixedPart), Kind = kind };
    }

    /// <summary>An absolute total of <paramref name="kind"/>.</summary>
    public static Budget FromCost(long n, CostKind kind)
    {
        if (n <= 0) throw new PlanningException($"{kind.Name()} budget {n} is invalid: it must be positive");
        return new Budget(n, null) { Kind = kind };
    }

    /// <summary><c>floor(keep × paramsBefore)</c>.</summary>
    public static Budget FromKeep(double keep, long paramsBefore)
    {
        if (!double.IsFinite(keep) || keep <= 0)
            throw new PlanningException($"keep ratio {keep.ToString(System.Globalization.CultureInfo.InvariantCulture)} is invalid: it must be a positive number");
        ArgumentOutOfRangeException.ThrowIfNegative(paramsBefore);
        double p = Math.Floor(keep * paramsBefore);
        return new Budget(p >= long.MaxValue ? long.MaxValue : (long)p, keep);
    }

    /// <summary>An absolute parameter count.</summary>
    public static Budget FromParams(long n)
    {
        if (n <= 0) throw new PlanningException($"parameter budget {n} is invalid: it must be positive");
        return new Budget(n, null);
    }
}
