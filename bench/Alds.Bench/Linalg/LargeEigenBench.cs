using Alds.Peers;
using Alds.Engine.Linalg;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Alds.Bench.Linalg;

/// <summary>
/// Large symmetric eigenproblems (issue 12, item 3), two threads on both sides: OpenBLAS <c>dsytrd</c>, <c>dsyevd</c>
/// 'N' and 'V' against our reduction (<see cref="TridiagonalReduction"/>), our eigenvalues
/// (<see cref="SymmetricEigen"/>) and our full eigendecomposition by the Gram route's stages (reduction with
/// reflectors, eigenvalues, inverse iteration for all n vectors, back-transformation).
/// </summary>
/// <remarks>
/// Run with <c>OPENBLAS_NUM_THREADS=2</c> (the setup also calls <c>openblas_set_num_threads(2)</c>). LAPACK gets the
/// same storage as a column-major upper triangle (no transposed copy inside LAPACKE). Every operation copies the
/// input first (both sides), since each destroys it.
/// </remarks>
[MemoryDiagnoser, MinColumn, MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public unsafe class LargeEigenBench
{
    private const int Threads = 2;
    private double[] _a = [], _work = [], _d = [], _e = [], _tau = [], _w = [];

    [Params(1024, 2048, 4096)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Lapacke.Default.SetThreads(Threads);
        var rng = new Random(7);
        _a = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j <= i; j++) _a[i * N + j] = _a[j * N + i] = rng.NextDouble() - 0.5;
        _work = new double[N * N];
        _d = new double[N]; _e = new double[N]; _tau = new double[N]; _w = new double[N];
    }

    [Benchmark(Description = "OpenBLAS dsytrd")]
    public double LapackReduce()
    {
        _a.CopyTo(_work, 0);
        fixed (double* a = _work, d = _d, e = _e, t = _tau)
            Check(Lapacke.Default.Dsytrd(Lapacke.ColMajor, (byte)'U', N, a, N, d, e, t));
        return _d[0];
    }

    [Benchmark(Description = "ours reduce")]
    public double OursReduce()
    {
        _a.CopyTo(_work, 0);
        TridiagonalReduction.Reduce(_work, N, _d, _e, new double[HouseholderTridiagonal.ScratchLength(N)], default, default, Threads);
        return _d[0];
    }

    [Benchmark(Description = "ours blocked reduce")]
    public double OursBlockedReduce()
    {
        _a.CopyTo(_work, 0);
        BlockedTridiagonal.Reduce(_work, N, _d, _e, default, default, TridiagonalReduction.FusedTail, Threads);
        return _d[0];
    }

    [Benchmark(Description = "ours two-stage reduce")]
    public double OursTwoStageReduce()
    {
        _a.CopyTo(_work, 0);
        TwoStageTridiagonal.Reduce(_work, N, _d, _e, Threads);
        return _d[0];
    }

    [Benchmark(Description = "OpenBLAS dsyevd N")]
    public double LapackValues()
    {
        _a.CopyTo(_work, 0);
        fixed (double* a = _work, w = _w)
            Check(Lapacke.Default.Dsyevd(Lapacke.ColMajor, (byte)'N', (byte)'U', N, a, N, w));
        return _w[0];
    }

    [Benchmark(Description = "ours values")]
    public double OursValues()
    {
        _a.CopyTo(_work, 0);
        SymmetricEigen.Values(_work, N, _w, Threads);
        return _w[0];
    }

    [Benchmark(Description = "OpenBLAS dsyevd V")]
    public double LapackVectors()
    {
        _a.CopyTo(_work, 0);
        fixed (double* a = _work, w = _w)
            Check(Lapacke.Default.Dsyevd(Lapacke.ColMajor, (byte)'V', (byte)'U', N, a, N, w));
        return _work[0];
    }

    [Benchmark(Description = "ours vectors (all n)")]
    public double OursVectors()
    {
        int n = N;
        _a.CopyTo(_work, 0);
        var reflectors = new double[n * n];
        var taus = new double[n];
        TridiagonalReduction.Reduce(_work, n, _d, _e, new double[HouseholderTridiagonal.ScratchLength(n)], reflectors, taus, Threads);
        var values = (double[])_d.Clone();
        var off = (double[])_e.Clone();
        TridiagonalEigen.Values(values, off, n);
        var z = new double[n * n];
        TridiagonalVectors.Compute(_d, _e, n, values, z);
        ReflectorProduct.Apply(reflectors, taus, n, z, n, Threads);
        return z[0] + values[0];
    }

    private static void Check(int info)
    {
        if (info != 0) throw new InvalidOperationException($"LAPACK info {info}");
    }
}
