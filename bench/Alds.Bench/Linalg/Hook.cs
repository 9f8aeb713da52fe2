using Alds.Engine.Linalg;

namespace Alds.Bench.Linalg;

/// <summary>Public entry to internal kernels for ad-hoc CPU-time measurements outside BenchmarkDotNet.</summary>
public static class Hook
{
    /// <summary>Runs the fused Householder tridiagonalisation (values only).</summary>
    public static void Reduce(double[] a, int n, double[] d, double[] e, double[] scratch) =>
        HouseholderTridiagonal.Reduce(a, n, d, e, scratch, default, default);
}
