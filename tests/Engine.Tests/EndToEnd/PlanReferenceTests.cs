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

    /// <summary>
    /// Where REFERENCE.md's exact column comes from, in the repository: exact_reference.py computes the curves with
    /// numpy's SVD and the threshold search on its own (DESIGN §1 only) from the model's weights; it must give the
    /// published figures, and the engine the same optimum (curves agree to ~1e-11, so 1e-9 relative).
    /// </summary>
    [Test]
    public void ExactColumn_IndependentNumpyScript_ReproducesReferenceAndEngine()
    {
        Oracles.Requires.Numpy();
        var (weights, _) = ResNet18Workspace.Whole();
        var script = Path.Combine(Frontends.PythonRunner.RepoRoot(), "tests", "Engine.Tests", "EndToEnd", "exact_reference.py");
        var result = Frontends.PythonRunner.Run([script, weights, "0.7", "0.5", "0.3", "0.2"], Path.GetTempPath(), TimeSpan.FromMinutes(10));
        Assert.That(result.ExitCode, Is.Zero, result.Output);
        using var doc = JsonDocument.Parse(result.Output);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("layers").GetInt32(), Is.EqualTo(22));
        Assert.That(root.GetProperty("params").GetInt64(), Is.EqualTo(ResNet18Params));
        foreach (var (keep, reference) in new[] { (0.7, 0.048757), (0.5, 0.074312), (0.3, 0.119046), (0.2, 0.154940) })
        {
            double numpy = root.GetProperty("max_rel_error").GetProperty(keep.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).GetDouble();
            Assert.That(numpy, Is.EqualTo(reference).Within(5e-7 + 1e-12), $"keep {keep}: REFERENCE.md");
            Assert.That(MaxError(Plan(keep, "exact")), Is.EqualTo(numpy).Within(1e-9 * numpy), $"keep {keep}: engine vs numpy");
        }
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
