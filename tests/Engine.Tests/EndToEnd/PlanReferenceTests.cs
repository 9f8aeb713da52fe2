using System.Text.Json;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>
/// <c>alds plan --json</c> on the embedded ResNet18 against REFERENCE.md: the exact optimum to the six digits
/// given (half a unit of the last digit), the baselines to the four digits given; budgets respected.
/// </summary>
public class PlanReferenceTests
{
    private const long ResNet18Params = 15_885_504;

    private static JsonElement Plan(double keep, string optimizer) =>
        JsonDocument.Parse(ResNet18Workspace.RunCached("plan", "--json", "--keep", keep.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            "--optimizer", optimizer).Out).RootElement.Clone();

    private static double MaxError(JsonElement plan) => plan.GetProperty("max_rel_error").GetDouble();

    private static void AssertWithinBudget(JsonElement plan, double keep)
    {
        var budget = plan.GetProperty("budget");
        long limit = (long)Math.Floor(keep * ResNet18Params);
        Assert.That(budget.GetProperty("params_before").GetInt64(), Is.EqualTo(ResNet18Params));
        Assert.That(budget.GetProperty("params").GetInt64(), Is.EqualTo(limit));
        long after = budget.GetProperty("params_after").GetInt64();
        Assert.That(after, Is.LessThanOrEqualTo(limit));
        Assert.That(plan.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("params_after").GetInt64()), Is.EqualTo(after));
        Assert.That(plan.GetProperty("layers").EnumerateArray().Max(l => l.GetProperty("rel_error").GetDouble()),
            Is.EqualTo(MaxError(plan)));
    }

    [TestCase(0.7, 0.048757)]
    [TestCase(0.5, 0.074312)]
    [TestCase(0.3, 0.119046)]
    [TestCase(0.2, 0.154940)]
    public void PlanExact_ResNet18_EqualsReferenceOptimum(double keep, double reference)
    {
        var plan = Plan(keep, "exact");
        Assert.That(plan.GetProperty("optimizer").GetString(), Is.EqualTo("exact"));
        Assert.That(MaxError(plan), Is.EqualTo(reference).Within(5e-7 + 1e-12));
        AssertWithinBudget(plan, keep);
        // The certificate: the next smaller threshold needs more than the budget.
        var next = plan.GetProperty("next_smaller_threshold");
        Assert.That(next.GetProperty("max_rel_error").GetDouble(), Is.LessThan(MaxError(plan)));
        Assert.That(next.GetProperty("params").GetInt64(), Is.GreaterThan(plan.GetProperty("budget").GetProperty("params").GetInt64()));
    }

    [TestCase(0.7, 0.1984, 0.3836)]
    [TestCase(0.5, 0.2554, 0.4949)]
    [TestCase(0.3, 0.3328, 0.6314)]
    [TestCase(0.2, 0.3895, 0.7423)]
    public void PlanBaselines_ResNet18_NearReferenceAndNoBetterThanExact(double keep, double k1, double uniform)
    {
        var exact = MaxError(Plan(keep, "exact"));
        var k1Plan = Plan(keep, "k1");
        var uniformPlan = Plan(keep, "uniform");
        var paperPlan = Plan(keep, "paper");
        Assert.That(MaxError(k1Plan), Is.EqualTo(k1).Within(5e-5 + 1e-12), "k = 1 minimax");
        Assert.That(MaxError(uniformPlan), Is.EqualTo(uniform).Within(5e-5 + 1e-12), "uniform rank");
        Assert.That(MaxError(paperPlan), Is.GreaterThanOrEqualTo(exact), "the paper's heuristic beat the exact optimum");
        foreach (var p in new[] { k1Plan, uniformPlan, paperPlan })
            Assert.That(p.GetProperty("budget").GetProperty("params_after").GetInt64(), Is.LessThanOrEqualTo((long)Math.Floor(keep * ResNet18Params)));
        Assert.That(k1Plan.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("compressed").GetBoolean())
            .Select(l => l.GetProperty("groups").GetInt32()), Is.All.EqualTo(1));
    }
}
