using Alds.Engine.Linalg;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Alds.Bench.Linalg;

/// <summary>
/// Where the blocked reduction starts to beat the fused one: both on one thread (the sweep runs one eigenproblem per
/// thread) and the blocked one also on two; the blocked one hands its trailing 128 columns to the fused kernel.
/// The crossover found here is <see cref="TridiagonalReduction.BlockedFrom"/>.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 7)]
public class TridiagonalCrossoverBench
{
    private const int Tail = 128;
    private double[] _a = [], _work = [], _d = [], _e = [], _scratch = [];

    [Params(256, 512, 768, 1024, 1536)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        _a = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j <= i; j++) _a[i * N + j] = _a[j * N + i] = rng.NextDouble() - 0.5;
        _work = new double[N * N];
        _d = new double[N]; _e = new double[N];
        _scratch = new double[HouseholderTridiagonal.ScratchLength(N)];
    }

    [Benchmark(Baseline = true, Description = "fused")]
    public double Fused()
    {
        _a.CopyTo(_work, 0);
        HouseholderTridiagonal.Reduce(_work, N, _d, _e, _scratch, default, default);
        return _d[0];
    }

    [Benchmark(Description = "blocked, 1 thread")]
    public double Blocked1()
    {
        _a.CopyTo(_work, 0);
        BlockedTridiagonal.Reduce(_work, N, _d, _e, default, default, Tail, 1);
        return _d[0];
    }

    [Benchmark(Description = "blocked, 2 threads")]
    public double Blocked2()
    {
        _a.CopyTo(_work, 0);
        BlockedTridiagonal.Reduce(_work, N, _d, _e, default, default, Tail, 2);
        return _d[0];
    }
}
