using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

/// <summary>
/// <c>--align N</c> on ResNet18-sized instances: ranks are multiples of N, the budget holds, the optimum can only
/// get worse than the unaligned one, and it is the exact minimax over the aligned options (a separable oracle:
/// a threshold t is feasible iff the sum over layers of the cheapest aligned option with error ≤ t fits the budget).
/// </summary>
public class AlignTests
{
    private static readonly int[] Aligns = [2, 4, 8, 16, 32];

    [Test]
    public void Exact_ResNet18Shaped_AlignedRanksBudgetAndOptimality(
        [Values(0.3, 0.5, 0.7)] double keep, [Values(ErrorMeasure.Max, ErrorMeasure.Rss)] ErrorMeasure measure)
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 4);
        var budget = Budget.FromKeep(keep, Planner.ParamsBefore(a));
        var unaligned = Planner.Create(a, budget, new PlannerOptions { Error = measure });
        foreach (int align in Aligns)
        {
            var plan = Planner.Create(a, budget, new PlannerOptions { Error = measure, Align = align });
            string where = $"align {align}";
            Assert.That(plan.Layers.Where(c => c.Compressed).Select(c => c.Rank % align), Is.All.EqualTo(0), where);
            Assert.That(plan.Layers.Where(c => !c.Compressed).Select(c => c.ParamsAfter == c.ParamsBefore), Is.All.True, where);
            Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(plan.Budget), where);
            Assert.That(plan.ParamsAfter, Is.EqualTo(plan.Layers.Sum(c => c.ParamsAfter)), where);
            Assert.That(plan.MaxRelError, Is.GreaterThanOrEqualTo(unaligned.MaxRelError), where);

            var options = a.Layers.Select(la => PlanningInstances.RawOptions(la, measure, align, k1Only: false)).ToList();
            Assert.That(CheapestAt(options, plan.MaxRelError), Is.LessThanOrEqualTo(plan.Budget), where);
            double below = options.SelectMany(o => o).Select(o => o.Error).Where(e => e < plan.MaxRelError).DefaultIfEmpty(-1).Max();
            if (below >= 0)
                Assert.That(CheapestAt(options, below), Is.GreaterThan(plan.Budget), $"{where}: a smaller max error {below} fits");
        }
    }

    /// <summary>
    /// Independent of the threshold method above: brute force over every combination of raw options (schemes 0–3,
    /// every k, every aligned j) on small instances; the exact planner's max error must be the brute-force minimum.
    /// </summary>
    [Test]
    public void Exact_SmallInstancesAllSchemes_AlignedOptimumEqualsBruteForce([Values(1, 2, 3)] int align)
    {
        int checkedInstances = 0;
        var schemesChosen = new HashSet<int>();
        for (int seed = 0; seed < 120; seed++)
        {
            var a = PlanningInstances.Small(seed, allSchemes: true);
            var measure = seed % 3 == 0 ? ErrorMeasure.Rss : ErrorMeasure.Max;
            long budget = PlanningInstances.RandomBudget(a, new Random(seed + 50), measure, align);
            var plan = Planner.Create(a, Budget.FromParams(budget),
                new PlannerOptions { Error = measure, Align = align, Refine = false, Schemes = [0, 1, 2, 3] });
            var (minMax, minParams) = PlanningInstances.BruteForce(a, budget, measure, align, cap: plan.MaxRelError);
            string where = $"seed {seed}, align {align}";
            Assert.That(plan.MaxRelError, Is.EqualTo(minMax), where);
            Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(budget), where);
            Assert.That(plan.ParamsAfter, Is.EqualTo(minParams), where);
            Assert.That(plan.Layers.Where(c => c.Compressed).Select(c => c.Rank % align), Is.All.EqualTo(0), where);
            foreach (var c in plan.Layers.Where(c => c.Compressed)) schemesChosen.Add(c.Scheme);
            checkedInstances++;
        }
        Assert.That(checkedInstances, Is.EqualTo(120));
        Assert.That(schemesChosen, Is.SupersetOf(new[] { 1, 2 }), "the instances exercise the split schemes");
    }

    [Test]
    public void Exact_AlignOne_SameAsDefault()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 5);
        var budget = Budget.FromKeep(0.5, Planner.ParamsBefore(a));
        var byDefault = Planner.Create(a, budget);
        var one = Planner.Create(a, budget, new PlannerOptions { Align = 1 });
        Assert.That(one.MaxRelError, Is.EqualTo(byDefault.MaxRelError));
        Assert.That(one.Layers.Select(c => (c.Groups, c.Rank)), Is.EqualTo(byDefault.Layers.Select(c => (c.Groups, c.Rank))));
    }

    [Test]
    public void Baselines_Align_RanksAreMultiplesAndBudgetHolds(
        [Values(OptimizerKind.Paper, OptimizerKind.K1, OptimizerKind.Energy)] OptimizerKind optimizer)
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 6);
        var budget = Budget.FromKeep(0.5, Planner.ParamsBefore(a));
        var plan = Planner.Create(a, budget, new PlannerOptions { Optimizer = optimizer, Align = 16 });
        Assert.That(plan.Layers.Where(c => c.Compressed).Select(c => c.Rank % 16), Is.All.EqualTo(0));
        Assert.That(plan.ParamsAfter, Is.LessThanOrEqualTo(plan.Budget));
    }

    [Test]
    public void Create_AlignZero_Throws()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 7);
        Assert.Throws<PlanningException>(() =>
            Planner.Create(a, Budget.FromKeep(0.5, Planner.ParamsBefore(a)), new PlannerOptions { Align = 0 }));
    }

    /// <summary>Least total parameters with every layer's error ≤ t (each layer independently; keeping it whole costs its size, error 0).</summary>
    private static long CheapestAt(List<List<(long Params, double Error, int Groups, int Rank)>> options, double t) =>
        options.Sum(layer => layer.Where(o => o.Error <= t).Min(o => o.Params));
}
