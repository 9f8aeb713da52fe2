namespace Alds.Engine.Linalg;

/// <summary>
/// Chooses the tridiagonal reduction by order: the fused single-pass kernel (<see cref="HouseholderTridiagonal"/>)
/// below <see cref="BlockedFrom"/>, the blocked one (<see cref="BlockedTridiagonal"/>) from there on. Both have the
/// same output contract.
/// </summary>
internal static class TridiagonalReduction
{
    /// <summary>Order from which the blocked reduction is used.</summary>
    /// <remarks>
    /// Measured (<c>TridiagonalCrossoverBench</c>, BenchmarkDotNet Throughput job, 2-core AMD EPYC with AVX2, no
    /// AVX-512, loaded machine, 2026-12-03), fused against blocked (fused tail of 128) on one thread, mean ms:
    /// 256: 2.76 vs 5.08; 512: 23.4 vs 30.1; 768: 56.4 vs 82.0; 1024: 157 vs 192; 1536: 711 vs 689. On two threads
    /// the blocked kernel was no faster below 1536 (187 ms at 1024). The first order where blocked wins is 1536.
    /// </remarks>
    internal const int BlockedFrom = 1536;

    /// <summary>
    /// Trailing order at which the blocked reduction hands its last columns to the fused kernel: below
    /// <see cref="BlockedFrom"/> the fused kernel is faster, and 512 is what <c>LargeEigenBench</c> measured.
    /// </summary>
    internal const int FusedTail = 512;

    /// <summary>As <see cref="HouseholderTridiagonal.Reduce"/>; the blocked kernel runs on up to the given threads.</summary>
    public static void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, Span<double> scratch,
        Span<double> reflectors, Span<double> taus, int maxDegreeOfParallelism)
    {
        if (n < BlockedFrom) HouseholderTridiagonal.Reduce(a, n, d, e, scratch, reflectors, taus);
        else BlockedTridiagonal.Reduce(a, n, d, e, reflectors, taus, FusedTail, maxDegreeOfParallelism);
    }
}
