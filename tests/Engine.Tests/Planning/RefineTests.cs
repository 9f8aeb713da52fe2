using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class RefineTests
{
    private static double[] SortedErrors(Plan p) => [.. p.Layers.Select(c => c.RelError).OrderDescending()];

    /// <summary>-1, 0, 1 comparing descending-sorted error vectors lexicographically.</summary>
    private static int Lexicographic(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
        return 0;
    }

    [Test]
    public void Refine_RandomInstances_KeepsMaxWithinBudgetAndLexicographicallyNoWorse()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var a = PlanningInstances.Small(seed);
            long budget = PlanningInstances.RandomBudget(a, new Random(seed + 99));
            var plain = Planner.Create(a, Budget.FromParams(budget), new PlannerOptions { Refine = false });
            var refined = Planner.Create(a, Budget.FromParams(budget));
            Assert.That(refined.MaxRelError, Is.EqualTo(plain.MaxRelError), $"seed {seed}");
            Assert.That(refined.ParamsAfter, Is.LessThanOrEqualTo(budget), $"seed {seed}");
            Assert.That(Lexicographic(SortedErrors(refined), SortedErrors(plain)), Is.LessThanOrEqualTo(0), $"seed {seed}");
        }
    }

    [Test]
    public void Refine_TwoLayersSingleBottleneck_MatchesBruteForceLexicographicOptimum()
    {
        // with one bottleneck of two layers, fixing it and re-solving the other is the lexicographic optimum
        // (with tied bottlenecks the choice of which to lower is greedy, not guaranteed optimal)
        int checkedCount = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            var a = PlanningInstances.Small(seed);
            if (a.Layers.Count != 2) continue;
            long budget = PlanningInstances.RandomBudget(a, new Random(seed + 5));
            var plain = Planner.Create(a, Budget.FromParams(budget), new PlannerOptions { Refine = false });
            if (plain.Layers.Count(c => c.RelError == plain.MaxRelError) != 1) continue;
            checkedCount++;
            var refined = Planner.Create(a, Budget.FromParams(budget));
            var o0 = PlanningInstances.RawOptions(a.Layers[0], ErrorMeasure.Max, 1, false);
            var o1 = PlanningInstances.RawOptions(a.Layers[1], ErrorMeasure.Max, 1, false);
            double[]? best = null;
            foreach (var x in o0)
                foreach (var y in o1)
                {
                    if (x.Params + y.Params > budget) continue;
                    double[] v = [Math.Max(x.Error, y.Error), Math.Min(x.Error, y.Error)];
                    if (best is null || Lexicographic(v, best) < 0) best = v;
                }
            Assert.That(SortedErrors(refined), Is.EqualTo(best), $"seed {seed}");
        }
        Assert.That(checkedCount, Is.GreaterThan(20));
    }

    [Test]
    public void Refine_ResNet18Shaped_SpendsLeftoverWithoutRaisingMax()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 4);
        var budget = Budget.FromKeep(0.25, Planner.ParamsBefore(a));
        var plain = Planner.Create(a, budget, new PlannerOptions { Refine = false });
        var refined = Planner.Create(a, budget);
        Assert.That(refined.MaxRelError, Is.EqualTo(plain.MaxRelError));
        Assert.That(refined.ParamsAfter, Is.InRange(plain.ParamsAfter, budget.Params));
        Assert.That(refined.NextSmallerThreshold, Is.EqualTo(plain.NextSmallerThreshold));
    }
}
