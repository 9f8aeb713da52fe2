using Alds.Peers;
using Alds.Engine.Linalg;
using BenchmarkDotNet.Attributes;

namespace Alds.Bench.Linalg;

/// <summary>
/// All singular values of one float64 channel-group matrix: ours (SIMD Gram + fused tridiagonalisation +
/// PWK) against LAPACK dgesdd (values only), and the eigen stage alone against dsyevd on the same Gram.
/// Single-threaded on both sides (OpenBLAS pinned to one thread).
/// </summary>
[MemoryDiagnoser]
public unsafe class SingularValuesBench
{
    private double[] _g = [], _work = [], _gram = [], _gramWork = [], _sigma = [], _scratch = [], _aux = [];
    private int _m, _n, _p;

    [Params("64x576", "256x2304", "300x2700", "512x4608")]
    public string Shape { get; set; } = "64x576";

    [GlobalSetup]
    public void Setup()
    {
        Lapacke.Default.SetThreads(1);
        var parts = Shape.Split('x');
        _m = int.Parse(parts[0]); _n = int.Parse(parts[1]); _p = Math.Min(_m, _n);
        var rng = new Random(42);
        _g = new double[_m * _n];
        for (int i = 0; i < _g.Length; i++) _g[i] = rng.NextDouble() - 0.5;
        _work = new double[_g.Length];
        _gram = new double[_p * _p];
        SymmetricGram.AAt(_g, _m, _n, _n, _gram);
        SymmetricGram.MirrorLower(_gram, _p);
        _gramWork = new double[_p * _p];
        _sigma = new double[_p];
        _aux = new double[_p];
        _scratch = new double[SymmetricEigen.ScratchLength(_p)];
    }

    [Benchmark(Baseline = true, Description = "LAPACK dgesdd (N)")]
    public double LapackDgesdd()
    {
        _g.CopyTo(_work, 0);
        fixed (double* a = _work, s = _sigma)
            Lapacke.Default.Dgesdd(Lapacke.RowMajor, (byte)'N', _m, _n, a, _n, s, null, _m, null, _n);
        return _sigma[0];
    }

    [Benchmark(Description = "ours Gram+eigen")]
    public double Ours()
    {
        SingularValues.Compute(_g, _m, _n, _n, _sigma);
        return _sigma[0];
    }

    [Benchmark(Description = "ours Gram only")]
    public double OursGram()
    {
        SymmetricGram.AAt(_g, _m, _n, _n, _gramWork);
        return _gramWork[0];
    }

    [Benchmark(Description = "LAPACK dsyevd (N) on Gram")]
    public double LapackDsyevd()
    {
        _gram.CopyTo(_gramWork, 0);
        fixed (double* a = _gramWork, w = _sigma)
            Lapacke.Default.Dsyevd(Lapacke.RowMajor, (byte)'N', (byte)'L', _p, a, _p, w);
        return _sigma[0];
    }

    [Benchmark(Description = "ours eigen on Gram")]
    public double OursEigen()
    {
        _gram.CopyTo(_gramWork, 0);
        SymmetricEigen.Values(_gramWork, _p, _sigma, _scratch);
        return _sigma[0];
    }
}
