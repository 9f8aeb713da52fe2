using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class BaselineTests
{
    [TestCase(OptimizerKind.Uniform)]
    [TestCase(OptimizerKind.Energy)]
    [TestCase(OptimizerKind.K1)]
    public void Baseline_ResNet18Shaped_K1WithinBudgetAndNoBetterThanExact(OptimizerKind optimizer)
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 8);
        foreach (double keep in new[] { 0.8, 0.5, 0.2 })
        {
            var budget = Budget.FromKeep(keep, Planner.ParamsBefore(a));
            var plan = Planner.Create(a, budget, new PlannerOptions { Optimizer = optimizer });
            var exact = Planner.Create(a, budget);
            Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(budget.Params));
            Assert.That(plan.Layers.All(c => c.Groups == 1));
            Assert.That(plan.MaxRelError, Is.GreaterThanOrEqualTo(exact.MaxRelError));
        }
    }

    [Test]
    public void Uniform_IdenticalLayers_SameRankEverywhere()
    {
        var rng = new Random(1);
        var layers = Enumerable.Range(0, 3).Select(i => SyntheticAnalysis.Layer(
            new LayerSpec($"l{i}", LayerKind.Linear, 100, 100, 1, 1, $"l{i}.weight", null), [0], [1], rng)).ToArray();
        var a = new ModelAnalysis(layers, [0]);
        // full rank 100, 200 params per rank: round(a·100) ranks each; budget for 3 × rank 17 = 10,200
        var plan = Planner.Create(a, Budget.FromParams(10_299), new PlannerOptions { Optimizer = OptimizerKind.Uniform });
        Assert.That(plan.Layers.Select(c => c.Rank), Is.All.EqualTo(17));
        Assert.That(plan.ParamsAfter, Is.EqualTo(3 * 17 * 200));
    }

    [Test]
    public void Uniform_BudgetAtLeastOriginal_KeepsEveryLayer()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 8);
        var plan = Planner.Create(a, Budget.FromKeep(1.0, Planner.ParamsBefore(a)), new PlannerOptions { Optimizer = OptimizerKind.Uniform });
        Assert.That(plan.Layers.All(c => !c.Compressed));
        Assert.That(plan.MaxRelError, Is.EqualTo(0.0));
    }

    [Test]
    public void Energy_KnownSpectrum_KeepsRequestedFraction()
    {
        // σ = 1, 1/2, 1/4, 1/8 (+0): energies 1, 1/4, 1/16, 1/64; total 85/64
        double[] e = [0.5, 0.25, 0.125, 0.0];
        var spec = new LayerSpec("fc", LayerKind.Linear, 4, 64, 1, 1, "fc.weight", null);
        var spec2 = new LayerSpec("fc2", LayerKind.Linear, 4, 64, 1, 1, "fc2.weight", null);
        double[] e2 = [0.9, 0.8, 0.7, 0.0];
        var a = new ModelAnalysis([
            new LayerAnalysis(spec, [new SchemeOption(0, 1, 2.0, e, e)]),
            new LayerAnalysis(spec2, [new SchemeOption(0, 1, 3.0, e2, e2)]),
        ], [0]);
        // one rank costs 68 params. Budget for 3 ranks: rank 1 on fc (64/85 ≈ 0.753 kept) and rank 2 on fc2
        // (1.81 of 2.94 → 0.616); rank 3 on fc2 would need f > 0.616, and its total 4 ranks does not fit
        var plan = Planner.Create(a, Budget.FromParams(3 * 68), new PlannerOptions { Optimizer = OptimizerKind.Energy });
        Assert.That(plan.Layers.Select(c => c.Rank), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(plan.MaxRelError, Is.EqualTo(0.8));
    }

    [Test]
    public void Uniform_Align_RanksAreMultiples()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 9);
        var plan = Planner.Create(a, Budget.FromKeep(0.4, Planner.ParamsBefore(a)), new PlannerOptions { Optimizer = OptimizerKind.Uniform, Align = 8 });
        Assert.That(plan.Layers.Where(c => c.Compressed).Select(c => c.Rank % 8), Is.All.EqualTo(0));
        Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(plan.Budget));
    }
}
