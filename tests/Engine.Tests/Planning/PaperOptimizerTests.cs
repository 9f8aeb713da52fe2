using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class PaperOptimizerTests
{
    [Test]
    public void Paper_RandomInstances_NeverBeatsExactNorExceedsBudget()
    {
        int compared = 0, noPlan = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var a = PlanningInstances.Small(seed);
            long budget = PlanningInstances.RandomBudget(a, new Random(seed + 3));
            var exact = Planner.Create(a, Budget.FromParams(budget));
            Plan paper;
            try { paper = Planner.Create(a, Budget.FromParams(budget), new PlannerOptions { Optimizer = OptimizerKind.Paper }); }
            catch (PlanningException) { noPlan++; continue; } // a heuristic may find nothing where the exact optimum exists
            Assert.That(paper.MaxRelError, Is.GreaterThanOrEqualTo(exact.MaxRelError), $"seed {seed}");
            Assert.That(paper.ParamsAfter, Is.LessThanOrEqualTo(budget), $"seed {seed}");
            Assert.That(paper.NextSmallerThreshold, Is.Null);
            compared++;
        }
        TestContext.Out.WriteLine($"compared {compared}, paper found no plan {noPlan}");
        // Counted, so that a heuristic that always gave up could not pass with nothing checked.
        Assert.That(compared, Is.GreaterThanOrEqualTo(190), $"paper found no plan on {noPlan} of 200 instances");
    }

    [TestCase(0.7)]
    [TestCase(0.3)]
    [TestCase(0.1)]
    public void Paper_ResNet18Shaped_CloseToExactAndDeterministic(double keep)
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 6);
        var budget = Budget.FromKeep(keep, Planner.ParamsBefore(a));
        var exact = Planner.Create(a, budget);
        var paper = Planner.Create(a, budget, new PlannerOptions { Optimizer = OptimizerKind.Paper });
        var again = Planner.Create(a, budget, new PlannerOptions { Optimizer = OptimizerKind.Paper });
        Assert.That(paper.MaxRelError, Is.GreaterThanOrEqualTo(exact.MaxRelError));
        Assert.That(paper.MaxRelError, Is.LessThan(exact.MaxRelError * 1.5)); // a sanity bound: the heuristic works
        Assert.That(paper.ParamsAfter, Is.LessThanOrEqualTo(budget.Params));
        Assert.That(PlanJson.Write(again), Is.EqualTo(PlanJson.Write(paper)));
    }
}
