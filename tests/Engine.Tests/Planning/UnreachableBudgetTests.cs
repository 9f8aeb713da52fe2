using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class UnreachableBudgetTests
{
    [TestCase(OptimizerKind.Exact)]
    [TestCase(OptimizerKind.Paper)]
    [TestCase(OptimizerKind.K1)]
    [TestCase(OptimizerKind.Uniform)]
    [TestCase(OptimizerKind.Energy)]
    public void Create_BudgetBelowCheapest_ThrowsNamingSmallestReachableKeep(OptimizerKind optimizer)
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 2);
        var ex = Assert.Throws<PlanningException>(() =>
            Planner.Create(a, Budget.FromKeep(0.001, Planner.ParamsBefore(a)), new PlannerOptions { Optimizer = optimizer }));
        Assert.That(ex!, Is.Not.InstanceOf<ModelFormatException>(), "a plan that cannot be made is not a bad model");
        Assert.That(ex.Message, Does.Contain("smallest reachable keep"));
        Assert.That(ex.Message, Does.Not.Contain('\n'));
        // the named keep is reachable
        var text = ex.Message[(ex.Message.IndexOf("keep is ", StringComparison.Ordinal) + 8)..].Split(' ')[0];
        double keep = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var plan = Planner.Create(a, Budget.FromKeep(keep, Planner.ParamsBefore(a)), new PlannerOptions { Optimizer = optimizer });
        Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(plan.Budget));
    }

    [Test]
    public void Create_BudgetExactlyCheapest_Succeeds()
    {
        var a = PlanningInstances.Small(11);
        long cheapest = PlanningInstances.Cheapest(a, ErrorMeasure.Max);
        var plan = Planner.Create(a, Budget.FromParams(cheapest));
        Assert.That(plan.ParamsAfter, Is.EqualTo(cheapest));
        Assert.Throws<PlanningException>(() => Planner.Create(a, Budget.FromParams(cheapest - 1)));
    }

    [Test]
    public void FromKeep_FloorsTheProduct()
    {
        Assert.That(Budget.FromKeep(0.5, 15_885_504).Params, Is.EqualTo(7_942_752));
        Assert.That(Budget.FromKeep(0.3, 10).Params, Is.EqualTo(3));
        Assert.That(Budget.FromKeep(0.33, 10).Params, Is.EqualTo(3));
        Assert.Throws<PlanningException>(() => Budget.FromKeep(0, 10));
        Assert.Throws<PlanningException>(() => Budget.FromParams(-1));
    }
}
