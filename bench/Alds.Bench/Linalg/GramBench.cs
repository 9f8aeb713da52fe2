using Alds.Peers;
using Alds.Engine.Linalg;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Alds.Bench.Linalg;

/// <summary>
/// The Gram kernel (lower triangle, float64) on the sweep's shapes: ours (<see cref="SymmetricGram"/>) against
/// OpenBLAS <c>cblas_dsyrk</c>, one thread each. Row shapes <c>R m×n</c> are <c>G Gᵀ</c> (order m, depth n);
/// column shapes <c>C m×n</c> are <c>Gᵀ G</c> (order n, depth m). The GFLOP/s column counts order²·depth flops.
/// A short job (3 warm-ups, 9 iterations): the whole class runs in a few minutes.
/// </summary>
[Config(typeof(GramBenchConfig))]
public unsafe class GramBench
{
    private double[] _a = [], _c = [];
    private int _m, _n;
    private bool _col;

    /// <summary>"R" (row Gram) or "C" (column Gram), then m×n of the block.</summary>
    [Params("R512x576", "R512x4608", "R256x2304", "R64x576", "R128x1152", "C512x288", "C256x144", "C512x72")]
    public string Shape { get; set; } = "R64x576";

    /// <summary>"R…" or "C…" then m×n, as in <see cref="Shape"/>.</summary>
    internal static (bool Col, int M, int N) Parse(string shape)
    {
        var parts = shape[1..].Split('x');
        return (shape[0] == 'C', int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [GlobalSetup]
    public void Setup()
    {
        Lapacke.Default.SetThreads(1);
        (_col, _m, _n) = Parse(Shape);
        var rng = new Random(11);
        _a = new double[_m * _n];
        for (int i = 0; i < _a.Length; i++) _a[i] = rng.NextDouble() - 0.5;
        int p = _col ? _n : _m;
        _c = new double[p * p];
    }

    [Benchmark(Baseline = true, Description = "OpenBLAS dsyrk")]
    public double OpenBlas()
    {
        fixed (double* a = _a, c = _c)
        {
            if (_col) Lapacke.Default.Dsyrk(Lapacke.RowMajor, Lapacke.Lower, Lapacke.Trans, _n, _m, 1.0, a, _n, 0.0, c, _n);
            else Lapacke.Default.Dsyrk(Lapacke.RowMajor, Lapacke.Lower, Lapacke.NoTrans, _m, _n, 1.0, a, _n, 0.0, c, _m);
        }
        return _c[0];
    }

    [Benchmark(Description = "ours")]
    public double Ours()
    {
        if (_col) SymmetricGram.AtA(_a, _m, _n, _n, _c);
        else SymmetricGram.AAt(_a, _m, _n, _n, _c);
        return _c[0];
    }
}

/// <summary>Short job plus a GFLOP/s column.</summary>
public sealed class GramBenchConfig : ManualConfig
{
    public GramBenchConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(9).WithLaunchCount(1));
        AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "order²·depth flops / mean time";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            var shape = (string)benchmarkCase.Parameters["Shape"];
            var (col, m, n) = GramBench.Parse(shape);
            double order = col ? n : m, depth = col ? m : n;
            return (order * order * depth / stats.Mean).ToString("F1"); // flops per ns = GFLOP/s
        }
    }
}
