using Alds.Peers;
using Alds.Bench.Linalg;
using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Alds.Bench.Analysis;

/// <summary>
/// The whole scheme-0 sweep of the embedded ResNet18 (22 convs, every candidate divisor k): all singular values
/// of every channel group. Baseline: LAPACK <c>dgesdd</c> (values only, OpenBLAS, all cores) on every group, which
/// is what numpy's <c>svd(compute_uv=False)</c> does (bench/peers/resnet18_sweep_numpy.py is that peer, run
/// by bench/peers/run_sweep_comparison.sh). The weights are read once in setup, so only arithmetic is timed.
/// Run: <c>dotnet run -c Release --project bench/Alds.Bench -- --filter '*ResNetSweepBenchmarks*'</c>.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public unsafe class ResNetSweepBenchmarks
{
    private (LayerSpec layer, double[] weight, IReadOnlyList<int> ks)[] _layers = [];

    /// <summary>The embedded model next to the benchmark binary (copied by the DnnImageFeaturizer package).</summary>
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    [GlobalSetup]
    public void Setup()
    {
        Lapacke.Default.SetThreads(Environment.ProcessorCount);
        using var source = ModelSources.Open(ModelPath);
        _layers = source.Layers.Select(l =>
        {
            var w = new double[l.Params];
            source.ReadWeight(l, w);
            return (l, w, GroupCounts.Candidates(l, 0));
        }).ToArray();
    }

    [Benchmark(Baseline = true, Description = "LAPACK dgesdd per group")]
    public double Lapack()
    {
        double check = 0;
        foreach (var (layer, weight, ks) in _layers)
        {
            int m = layer.Out, total = layer.In * layer.Kh * layer.Kw;
            foreach (var k in ks.Append(1).Distinct())
            {
                int n = total / k, r = Math.Min(m, n);
                var a = new double[m * n];
                var s = new double[r];
                for (int i = 0; i < k; i++)
                {
                    for (int row = 0; row < m; row++) weight.AsSpan(row * total + i * n, n).CopyTo(a.AsSpan(row * n, n));
                    int info;
                    fixed (double* pa = a, ps = s) // LAPACKE checks ldu ≥ m and ldvt ≥ n even when no vectors are wanted
                        info = Lapacke.Default.Dgesdd(Lapacke.RowMajor, (byte)'N', m, n, pa, n, ps, null, m, null, n);
                    if (info != 0) throw new InvalidOperationException($"dgesdd {m}×{n}: info {info}");
                    check += s[0];
                }
            }
        }
        return check;
    }

    [Benchmark(Description = "ours, all cores")]
    public double Ours() => Sweep(-1);

    [Benchmark(Description = "ours, one thread")]
    public double OursOneThread() => Sweep(1);

    private double Sweep(int threads)
    {
        using var backend = new CpuSpectralBackend(threads);
        double check = 0;
        foreach (var (layer, weight, ks) in _layers)
            foreach (var option in backend.AnalyzeLayer(layer, weight, [0], ks))
                check += option.Norm;
        return check;
    }
}
