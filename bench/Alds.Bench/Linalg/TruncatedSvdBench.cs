using Alds.Engine.Linalg;
using BenchmarkDotNet.Attributes;

namespace Alds.Bench.Linalg;

/// <summary>Top-j SVD with vectors (the decomposer's step) and the spectral norm of a residual.</summary>
[MemoryDiagnoser]
public class TruncatedSvdBench
{
    private double[] _g = [];
    private const int M = 512, N = 4608;

    [Params(64, 256)]
    public int Rank { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        _g = new double[M * N];
        for (int i = 0; i < _g.Length; i++) _g[i] = rng.NextDouble() - 0.5;
    }

    [Benchmark(Description = "TruncatedSvd 512x4608")]
    public double Svd() => TruncatedSvd.Compute(_g, M, N, N, Rank).S[0];

    [Benchmark(Description = "SpectralNorm 512x4608 (Lanczos)")]
    public double Norm() => SpectralNorm.Largest(_g, M, N, N);
}
