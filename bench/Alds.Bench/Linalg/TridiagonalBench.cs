using Alds.Peers;
using Alds.Engine.Linalg;
using BenchmarkDotNet.Attributes;

namespace Alds.Bench.Linalg;

/// <summary>
/// The tridiagonalisation alone (4/3·n³ flops): our fused kernel against LAPACK dsytrd (blocked, OpenBLAS
/// level-3 inside), one thread. GFLOP/s = 4/3·n³ / time.
/// </summary>
[MemoryDiagnoser]
public unsafe class TridiagonalBench
{
    private double[] _a = [], _work = [], _d = [], _e = [], _tau = [], _scratch = [];

    [Params(128, 512)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Lapacke.Default.SetThreads(1);
        var rng = new Random(7);
        _a = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j <= i; j++) _a[i * N + j] = _a[j * N + i] = rng.NextDouble() - 0.5;
        _work = new double[N * N];
        _d = new double[N]; _e = new double[N]; _tau = new double[N];
        _scratch = new double[HouseholderTridiagonal.ScratchLength(N)];
    }

    [Benchmark(Baseline = true, Description = "LAPACK dsytrd")]
    public double Lapack()
    {
        _a.CopyTo(_work, 0);
        fixed (double* a = _work, d = _d, e = _e, t = _tau)
            Lapacke.Default.Dsytrd(Lapacke.RowMajor, (byte)'L', N, a, N, d, e, t);
        return _d[0];
    }

    [Benchmark(Description = "ours fused")]
    public double Ours()
    {
        _a.CopyTo(_work, 0);
        HouseholderTridiagonal.Reduce(_work, N, _d, _e, _scratch, default, default);
        return _d[0];
    }
}
