using Alds.Engine.Analysis;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class ExactOptimizerTests
{
    private const int Instances = 300;

    [Test]
    public void Create_RandomSmallInstances_MatchesBruteForceMinimax()
    {
        for (int seed = 0; seed < Instances; seed++)
        {
            var a = PlanningInstances.Small(seed);
            var rng = new Random(seed + 1000);
            var measure = seed % 3 == 0 ? ErrorMeasure.Rss : ErrorMeasure.Max;
            int align = seed % 5 == 0 ? 2 : 1;
            long budget = PlanningInstances.RandomBudget(a, rng, measure, align);
            var plan = Planner.Create(a, Budget.FromParams(budget), new PlannerOptions { Error = measure, Align = align, Refine = false });
            var (minMax, minParams) = PlanningInstances.BruteForce(a, budget, measure, align, cap: plan.MaxRelError);
            Assert.That(plan.MaxRelError, Is.EqualTo(minMax), $"seed {seed}");
            Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(budget), $"seed {seed}");
            // without refine every layer takes its cheapest option under the optimum: the least total there
            Assert.That(plan.ParamsAfter, Is.EqualTo(minParams), $"seed {seed}");
            Assert.That(plan.Layers.Where(c => c.Compressed).All(c => c.Rank % align == 0), $"seed {seed}");
        }
    }

    [Test]
    public void Create_RandomSmallInstances_NextSmallerThresholdIsProvablyInfeasible()
    {
        for (int seed = 0; seed < Instances; seed++)
        {
            var a = PlanningInstances.Small(seed);
            long budget = PlanningInstances.RandomBudget(a, new Random(seed + 7));
            var plan = Planner.Create(a, Budget.FromParams(budget));
            if (plan.NextSmallerThreshold is not double next)
            {
                Assert.That(plan.MaxRelError, Is.EqualTo(0.0), $"seed {seed}");
                continue;
            }
            Assert.That(next, Is.LessThan(plan.MaxRelError));
            var (_, minAtNext) = PlanningInstances.BruteForce(a, budget, ErrorMeasure.Max, cap: next);
            Assert.That(plan.NextSmallerThresholdParams, Is.EqualTo(minAtNext), $"seed {seed}");
            Assert.That(minAtNext, Is.GreaterThan(budget), $"seed {seed}");
        }
    }

    [Test]
    public void Create_K1_MatchesBruteForceOverK1Options()
    {
        for (int seed = 0; seed < 150; seed++)
        {
            var a = PlanningInstances.Small(seed);
            long cheapest = PlanningInstances.Cheapest(a, ErrorMeasure.Max, 1, k1Only: true);
            long budget = cheapest + (long)((Planner.ParamsBefore(a) - cheapest) * new Random(seed).NextDouble());
            var plan = Planner.Create(a, Budget.FromParams(budget), new PlannerOptions { Optimizer = OptimizerKind.K1 });
            var (minMax, _) = PlanningInstances.BruteForce(a, budget, ErrorMeasure.Max, k1Only: true);
            Assert.That(plan.MaxRelError, Is.EqualTo(minMax), $"seed {seed}");
            Assert.That(plan.Layers.All(c => c.Groups == 1));
            Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(budget));
        }
    }

    [Test]
    public void Create_IncreasingBudget_MaxErrorNonIncreasing()
    {
        for (int seed = 0; seed < 60; seed++)
        {
            var a = PlanningInstances.Small(seed);
            long lo = PlanningInstances.Cheapest(a, ErrorMeasure.Max), hi = Planner.ParamsBefore(a);
            double prev = double.PositiveInfinity;
            for (long b = lo; b <= hi; b++)
            {
                var plan = Planner.Create(a, Budget.FromParams(b));
                Assert.That(plan.MaxRelError, Is.LessThanOrEqualTo(prev), $"seed {seed}, budget {b}");
                prev = plan.MaxRelError;
            }
            Assert.That(prev, Is.EqualTo(0.0));
        }
    }

    [Test]
    public void Create_ManyLayers_SameJsonForOneAndFourThreads()
    {
        // six ResNet18-shaped blocks: 132 layers, above the size where probes go parallel
        var parts = Enumerable.Range(0, 6).Select(s => SyntheticAnalysis.ResNet18Shaped(seed: s, schemes: [0, 3])).ToArray();
        var a = new ModelAnalysis(
            [.. parts.SelectMany((p, b) => p.Layers.Select(l => l with { Layer = l.Layer with { Name = $"b{b}.{l.Layer.Name}" } }))], [0, 3]);
        Assert.That(a.Layers.Count, Is.GreaterThanOrEqualTo(ThresholdSolver.ParallelMinLayers));
        foreach (var optimizer in new[] { OptimizerKind.Exact, OptimizerKind.Paper, OptimizerKind.K1 })
        {
            var budget = Budget.FromKeep(0.3, Planner.ParamsBefore(a));
            var one = Planner.Create(a, budget, new PlannerOptions { Optimizer = optimizer, MaxDegreeOfParallelism = 1 });
            var four = Planner.Create(a, budget, new PlannerOptions { Optimizer = optimizer, MaxDegreeOfParallelism = 4 });
            Assert.That(PlanJson.Write(four), Is.EqualTo(PlanJson.Write(one)), optimizer.Name());
        }
    }

    [Test]
    public void Create_ResNet18Shaped_TotalParamsAndBudgetRespected()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 1);
        Assert.That(Planner.ParamsBefore(a), Is.EqualTo(15_885_504));
        Assert.That(a.Layers, Has.Count.EqualTo(22));
        foreach (double keep in new[] { 0.7, 0.5, 0.3, 0.2, 0.05 })
        {
            var budget = Budget.FromKeep(keep, 15_885_504);
            var plan = Planner.Create(a, budget);
            Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(budget.Params));
            Assert.That(plan.NextSmallerThresholdParams, Is.GreaterThan(budget.Params));
            Assert.That(plan.Layers.Max(c => c.RelError), Is.EqualTo(plan.MaxRelError));
        }
    }

    [Test]
    public void Create_SchemeFilter_UsesOnlyAllowedSchemes()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 5, schemes: [0, 1, 2, 3]);
        var plan = Planner.Create(a, Budget.FromKeep(0.4, Planner.ParamsBefore(a)), new PlannerOptions { Schemes = [3] });
        Assert.That(plan.Schemes, Is.EqualTo(new[] { 3 }));
        Assert.That(plan.Layers.Where(c => c.Compressed).All(c => c.Scheme == 3));
        var all = Planner.Create(a, Budget.FromKeep(0.4, Planner.ParamsBefore(a)));
        Assert.That(all.MaxRelError, Is.LessThanOrEqualTo(plan.MaxRelError));
    }
}
