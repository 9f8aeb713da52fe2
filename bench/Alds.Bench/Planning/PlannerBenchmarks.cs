using Alds.Engine.Analysis;
using Alds.Engine.Planning;
using BenchmarkDotNet.Attributes;

namespace Alds.Bench.Planning;

/// <summary>
/// Planning on a synthetic ResNet18-shaped analysis (22 convs, 15,885,504 params, every divisor k of in,
/// seeded random decaying curves). <c>Exact</c> includes building the option tables and the refine stage.
/// Run: <c>dotnet run -c Release --project bench/Alds.Bench -- --filter '*PlannerBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private ModelAnalysis _analysis = null!;
    private Budget _budget = null!;
    private OptionTable _table = null!;

    /// <summary>1 scheme (the reference setting) or all 4.</summary>
    [Params(1, 4)]
    public int Schemes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _analysis = SyntheticAnalysis.ResNet18Shaped(seed: 42, schemes: Schemes == 1 ? [0] : [0, 1, 2, 3]);
        _budget = Budget.FromKeep(0.3, Planner.ParamsBefore(_analysis));
        _table = OptionTable.Build(_analysis, ErrorMeasure.Max);
    }

    [Benchmark(Baseline = true)]
    public Plan Exact() => Planner.Create(_analysis, _budget);

    [Benchmark]
    public Plan ExactNoRefine() => Planner.Create(_analysis, _budget, new PlannerOptions { Refine = false });

    [Benchmark]
    public Plan ExactOneThread() => Planner.Create(_analysis, _budget, new PlannerOptions { MaxDegreeOfParallelism = 1 });

    [Benchmark]
    public OptionTable BuildTables() => OptionTable.Build(_analysis, ErrorMeasure.Max);

    [Benchmark]
    public object? ThresholdSearchOnly() =>
        new ThresholdSolver(_table.Layers, new ParallelOptions()).Solve(_budget.Params);

    [Benchmark]
    public Plan Paper() => Planner.Create(_analysis, _budget, new PlannerOptions { Optimizer = OptimizerKind.Paper });
}
