namespace Alds.Engine.Planning;

/// <summary>
/// A global parameter budget over the compressible layers: <see cref="Params"/> is the
/// largest allowed total; <see cref="Keep"/> is the ratio it came from, when it did.
/// </summary>
public sealed record Budget(long Params, double? Keep)
{
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
