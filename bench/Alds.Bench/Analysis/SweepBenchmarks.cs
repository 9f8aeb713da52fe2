using Alds.Peers;
using Alds.Bench.Linalg;
using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using BenchmarkDotNet.Attributes;

namespace Alds.Bench.Analysis;

/// <summary>
/// The sweep of one layer (scheme 0, every candidate k, both error curves): ours (<see cref="CpuSpectralBackend"/>,
/// Gram route with nested-Gram reuse) against LAPACK <c>dgesdd</c> (values only) on every channel group, one thread
/// each side. Shapes: the largest ResNet18 conv (512×512×3×3, 10 group counts) and an uneven one. Weights are seeded
/// Gaussian with rows scaled by <c>1/√(1+o)</c>, a decaying spectrum like a trained layer's.
/// Run: <c>dotnet run -c Release --project bench/Alds.Bench -- --filter '*SweepBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public unsafe class SweepBenchmarks
{
    private LayerSpec _layer = null!;
    private double[] _weight = [];
    private int[] _ks = [];
    private CpuSpectralBackend _backend = null!;

    [Params("512x512x3x3", "320x192x3x3")]
    public string Shape { get; set; } = "512x512x3x3";

    [GlobalSetup]
    public void Setup()
    {
        Lapacke.Default.SetThreads(1);
        var d = Shape.Split('x').Select(int.Parse).ToArray();
        _layer = new LayerSpec("bench", LayerKind.Conv, d[0], d[1], d[2], d[3], "bench.weight", null);
        var rng = new Random(42);
        _weight = new double[_layer.Params];
        int row = d[1] * d[2] * d[3];
        for (int i = 0; i < _weight.Length; i++)
        {
            double gauss = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            _weight[i] = gauss / Math.Sqrt(1 + i / row);
        }
        _ks = [.. GroupCounts.Candidates(_layer, FoldScheme.KernelEncode)];
        _backend = new CpuSpectralBackend(maxDegreeOfParallelism: 1);
    }

    [Benchmark(Baseline = true, Description = "LAPACK dgesdd per group")]
    public double LapackPerGroup()
    {
        int o = _layer.Out, total = _layer.In * _layer.Kh * _layer.Kw;
        var group = new double[o * total];
        var sigma = new double[Math.Min(o, total)];
        var norm = new double[Math.Min(o, total)];
        var max = new double[sigma.Length];
        double checksum = 0;
        fixed (double* w = _weight) Gesdd(w, o, total, total, group, norm);
        foreach (int k in _ks)
        {
            int n = total / k, r = Math.Min(o, n);
            Array.Clear(max, 0, r);
            for (int i = 0; i < k; i++)
            {
                for (int a = 0; a < o; a++) Array.Copy(_weight, a * total + i * n, group, a * n, n);
                fixed (double* g = group) Gesdd(g, o, n, n, group, sigma);
                for (int j = 1; j < r; j++) max[j - 1] = Math.Max(max[j - 1], sigma[j] / norm[0]);
            }
            checksum += max[0];
        }
        return checksum;
    }

    [Benchmark(Description = "ours (CpuSpectralBackend, 1 thread)")]
    public double Ours() => _backend.AnalyzeLayer(_layer, _weight, [FoldScheme.KernelEncode], _ks).Sum(o => o.ErrorsMax[0]);

    private static void Gesdd(double* source, int m, int n, int ld, double[] work, double[] sigma)
    {
        // dgesdd destroys its input: copy the m×n view into work first when it is not already there.
        fixed (double* a = work, s = sigma)
        {
            if (source != a) Buffer.MemoryCopy(source, a, (long)work.Length * sizeof(double), (long)m * ld * sizeof(double));
            int info = Lapacke.Default.Dgesdd(Lapacke.RowMajor, (byte)'N', m, n, a, ld, s, null, m, null, n);
            if (info != 0) throw new InvalidOperationException($"dgesdd info = {info}");
        }
    }
}
