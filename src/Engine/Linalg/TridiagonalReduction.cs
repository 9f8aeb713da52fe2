namespace Alds.Engine.Linalg;

/// <summary>
/// Chooses the tridiagonal reduction by order: the fused single-pass kernel (<see cref="HouseholderTridiagonal"/>)
/// below <see cref="BlockedFrom"/>, the blocked one (<see cref="BlockedTridiagonal"/>) from there on. Both have the
/// same output contract.
/// </summary>
internal static class TridiagonalReduction
{
    /// <summary>
    /// Order from which the blocked reduction is used; it also hands its last columns to the fused kernel once the
    /// trailing order is below this.
    /// </summary>
    /// <remarks>
    /// Measured (placeholder until the crossover benchmark below is run).
    /// </remarks>
    internal const int BlockedFrom = 512;

    /// <summary>As <see cref="HouseholderTridiagonal.Reduce"/>; the blocked kernel runs on up to the given threads.</summary>
    public static void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, Span<double> scratch,
        Span<double> reflectors, Span<double> taus, int maxDegreeOfParallelism)
    {
        if (n < BlockedFrom) HouseholderTridiagonal.Reduce(a, n, d, e, scratch, reflectors, taus);
        else BlockedTridiagonal.Reduce(a, n, d, e, reflectors, taus, BlockedFrom, maxDegreeOfParallelism);
    }
}
