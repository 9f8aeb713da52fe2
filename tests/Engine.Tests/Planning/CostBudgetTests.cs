using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

/// <summary>The exact planner under budgets in costs other than params, against a brute force over every option.</summary>
public class CostBudgetTests
{
    /// <summary>
    /// A seeded cost that is not monotone in the rank, leaves some options uncovered (null), and has a fixed part,
    /// as a measured latency table can: what the search must handle exactly.
    /// </summary>
    private sealed class RandomCost(int seed, CostKind kind, long fixedPart) : CostModel
    {
        public override CostKind Kind => kind;
        public override long Fixed => fixedPart;
        public override long Whole(LayerSpec layer) => 40 + Hash(layer.Name, -1, 0, 0) % 60;
        public override long? Factored(LayerSpec layer, int scheme, int groups, int rank)
        {
            long h = Hash(layer.Name, scheme, groups, rank);
            return h % 7 == 0 ? null : 5 + h % 90;
        }

        private long Hash(string name, int s, int k, int j) =>
            (long)((uint)HashCode.Combine(seed, name.GetHashCode(StringComparison.Ordinal) & 0xffff, s, k, j) % 100_003);
    }

    /// <summary>MACs as a linear function of the params (a different per-layer factor): the frontier of the sorting path must equal the merge's.</summary>
    private sealed class ScaledParams(Func<LayerSpec, long> factor) : CostModel
    {
        public override CostKind Kind => CostKind.Macs;
        public override long Whole(LayerSpec layer) => layer.Params * factor(layer);
        public override long? Factored(LayerSpec layer, int scheme, int groups, int rank) =>
            FoldScheme.Params(scheme, groups, rank, layer.Out, layer.In, layer.Kh, layer.Kw) * factor(layer);
    }

    /// <summary>Every raw option of a layer (keep included) with its cost, straight from the curves: the oracle's view.</summary>
    private static List<(long Cost, double Error)> Raw(LayerAnalysis la, CostModel cost, int align)
    {
        var spec = la.Layer;
        var list = new List<(long, double)> { (cost.Whole(spec), 0.0) };
        foreach (var o in la.Options)
            for (int j = align; j <= o.ErrorsMax.Length; j += align)
            {
                long p = (long)j * ((long)o.Groups * spec.Out * FoldScheme.DecoderTaps(o.Scheme, spec.Kh, spec.Kw)
                                    + (long)spec.In * FoldScheme.EncoderTaps(o.Scheme, spec.Kh, spec.Kw));
                if (p < spec.Params && cost.Factored(spec, o.Scheme, o.Groups, j) is long c) list.Add((c, o.ErrorsMax[j - 1]));
            }
        return list;
    }

    /// <summary>Over every combination: the least max error with total (fixed part included) ≤ budget, and the least total at that error.</summary>
    private static (double? MinMax, long MinTotalAt) BruteForce(ModelAnalysis a, CostModel cost, long budget, int align)
    {
        var opts = a.Layers.Select(l => Raw(l, cost, align)).ToArray();
        double? best = null;
        var idx = new int[opts.Length];
        var combos = new List<(long, double)>();
        while (true)
        {
            long t = cost.Fixed;
            double e = 0;
            for (int l = 0; l < opts.Length; l++) { t += opts[l][idx[l]].Cost; e = Math.Max(e, opts[l][idx[l]].Error); }
            combos.Add((t, e));
            if (t <= budget && (best is null || e < best)) best = e;
            int d = 0;
            while (d < idx.Length && ++idx[d] == opts[d].Count) { idx[d] = 0; d++; }
            if (d == idx.Length) break;
        }
        long minAt = best is double b ? combos.Where(c => c.Item2 <= b).Min(c => c.Item1) : long.MaxValue;
        return (best, minAt);
    }

    private static (long Cheapest, long Before) Range(ModelAnalysis a, CostModel cost, int align) =>
        (cost.Fixed + a.Layers.Sum(l => Raw(l, cost, align).Min(o => o.Cost)), cost.Fixed + a.Layers.Sum(l => cost.Whole(l.Layer)));

    [Test]
    public void Create_RandomNonMonotoneCosts_MatchesBruteForceMinimax()
    {
        int planned = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            var a = PlanningInstances.Small(seed);
            var cost = new RandomCost(seed, seed % 2 == 0 ? CostKind.Latency : CostKind.Macs, seed % 3 == 0 ? 0 : 17 + seed);
            int align = seed % 5 == 0 ? 2 : 1;
            var (lo, hi) = Range(a, cost, align);
            long budget = lo + (long)((hi - lo) * new Random(seed).NextDouble());
            var plan = Planner.Create(a, Budget.FromCost(budget, cost.Kind), new PlannerOptions { Cost = cost, Align = align, Refine = false });
            var (minMax, minTotal) = BruteForce(a, cost, budget, align);
            Assert.That(plan.MaxRelError, Is.EqualTo(minMax), $"seed {seed}");
            Assert.That(plan.Cost, Is.Not.Null);
            Assert.That(plan.Cost!.TotalAfter, Is.LessThanOrEqualTo(budget), $"seed {seed}");
            Assert.That(plan.Cost.TotalAfter, Is.EqualTo(minTotal), $"seed {seed}: without refine, the least total at the optimum");
            Assert.That(plan.Layers.Sum(l => l.CostAfter!.Value), Is.EqualTo(plan.Cost.After), $"seed {seed}");
            Assert.That(plan.Cost.TotalBefore, Is.EqualTo(hi), $"seed {seed}");
            if (plan.NextSmallerThreshold is double next)
                Assert.That(plan.Cost.NextSmaller, Is.GreaterThan(budget), $"seed {seed}: the next smaller threshold must not fit");
            planned++;
        }
        Assert.That(planned, Is.EqualTo(300));
    }

    [Test]
    public void Create_RandomCostsWithRefine_SameMaxWithinBudget()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var a = PlanningInstances.Small(seed);
            var cost = new RandomCost(seed + 5, CostKind.Latency, 11);
            var (lo, hi) = Range(a, cost, 1);
            long budget = lo + (long)((hi - lo) * new Random(seed + 3).NextDouble());
            var plain = Planner.Create(a, Budget.FromCost(budget, cost.Kind), new PlannerOptions { Cost = cost, Refine = false });
            var refined = Planner.Create(a, Budget.FromCost(budget, cost.Kind), new PlannerOptions { Cost = cost });
            Assert.That(refined.MaxRelError, Is.EqualTo(plain.MaxRelError), $"seed {seed}");
            Assert.That(refined.Cost!.TotalAfter, Is.LessThanOrEqualTo(budget), $"seed {seed}");
            Assert.That(refined.Layers.Sum(l => l.RelError), Is.LessThanOrEqualTo(plain.Layers.Sum(l => l.RelError)), $"seed {seed}");
        }
    }

    [Test]
    public void Create_CostProportionalToParams_SamePlanAsParamsBudget()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var a = PlanningInstances.Small(seed, allSchemes: seed % 2 == 0);
            // one factor for every layer: the MACs budget is the params budget scaled, so the plans must coincide
            var cost = new ScaledParams(_ => 3);
            long budget = PlanningInstances.RandomBudget(a, new Random(seed + 31));
            var byParams = Planner.Create(a, Budget.FromParams(budget));
            var byMacs = Planner.Create(a, Budget.FromCost(3 * budget, CostKind.Macs), new PlannerOptions { Cost = cost });
            Assert.That(byMacs.Layers.Select(l => (l.Scheme, l.Groups, l.Rank, l.Compressed)),
                Is.EqualTo(byParams.Layers.Select(l => (l.Scheme, l.Groups, l.Rank, l.Compressed))), $"seed {seed}");
            Assert.That(byMacs.Cost!.After, Is.EqualTo(3 * byParams.ParamsAfter), $"seed {seed}");
            Assert.That(byMacs.NextSmallerThresholdParams, Is.EqualTo(byParams.NextSmallerThresholdParams), $"seed {seed}");
        }
    }

    [Test]
    public void Create_KeepOfCost_IsTheRatioOfTheWholeTotal()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 2);
        var cost = new ScaledParams(l => l.Out); // layers weighted differently: the MACs plan differs from the params plan
        long before = a.Layers.Sum(l => cost.Whole(l.Layer));
        var plan = Planner.Create(a, Budget.FromKeep(0.5, before, CostKind.Macs), new PlannerOptions { Cost = cost });
        Assert.That(plan.Cost!.Limit, Is.EqualTo((long)Math.Floor(0.5 * before)));
        Assert.That(plan.Cost.TotalAfter, Is.LessThanOrEqualTo(plan.Cost.Limit));
        Assert.That(plan.Cost.TotalBefore, Is.EqualTo(before));
        Assert.That(plan.Budget, Is.EqualTo(plan.ParamsBefore), "no params limit under a MACs budget");
        var byParams = Planner.Create(a, Budget.FromKeep(0.5, Planner.ParamsBefore(a)));
        Assert.That(plan.Layers.Select(l => l.Rank), Is.Not.EqualTo(byParams.Layers.Select(l => l.Rank)));
    }

    [Test]
    public void Create_LatencyBelowSmallest_NamesSmallestReachableLatency()
    {
        var a = PlanningInstances.Small(3);
        var cost = new RandomCost(3, CostKind.Latency, 1_000_000);
        var (lo, _) = Range(a, cost, 1);
        var e = Assert.Throws<PlanningException>(() =>
            Planner.Create(a, Budget.FromCost(lo - 1, CostKind.Latency), new PlannerOptions { Cost = cost }))!;
        Assert.That(e.Message, Does.Contain($"the smallest reachable latency is {CostKind.Latency.Format(lo)}"));
        Assert.That(e.Message, Does.StartWith("latency budget "));
        Assert.DoesNotThrow(() => Planner.Create(a, Budget.FromCost(lo, CostKind.Latency), new PlannerOptions { Cost = cost }));
    }

    [Test]
    public void Create_MismatchedOrPaper_Refused()
    {
        var a = PlanningInstances.Small(4);
        var cost = new RandomCost(4, CostKind.Macs, 0);
        Assert.Throws<ArgumentException>(() => Planner.Create(a, Budget.FromParams(100), new PlannerOptions { Cost = cost }));
        var e = Assert.Throws<PlanningException>(() => Planner.Create(a, Budget.FromCost(100, CostKind.Macs),
            new PlannerOptions { Cost = cost, Optimizer = OptimizerKind.Paper }))!;
        Assert.That(e.Message, Does.Contain("params budget only"));
    }

    [Test]
    public void Create_UniformUnderCost_TotalWithinBudget()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 4);
        var cost = new ScaledParams(l => l.Out);
        long before = a.Layers.Sum(l => cost.Whole(l.Layer));
        foreach (double keep in new[] { 0.3, 0.5, 0.7 })
        {
            var plan = Planner.Create(a, Budget.FromKeep(keep, before, CostKind.Macs),
                new PlannerOptions { Cost = cost, Optimizer = OptimizerKind.Uniform });
            Assert.That(plan.Cost!.TotalAfter, Is.LessThanOrEqualTo(plan.Cost.Limit), $"keep {keep}");
            Assert.That(plan.Cost.TotalAfter, Is.GreaterThan(plan.Cost.Limit * 0.9), $"keep {keep}: bisected up to the budget");
        }
    }

    [Test]
    public void PlanJson_ParamsBudget_HasNoCostFields_MacsBudgetHasThem()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 2);
        var plain = PlanJson.Write(Planner.Create(a, Budget.FromKeep(0.5, Planner.ParamsBefore(a))));
        Assert.That(plain, Does.Not.Contain("\"cost\"").And.Not.Contain("macs"));
        var cost = new ScaledParams(l => l.Out);
        var plan = Planner.Create(a, Budget.FromKeep(0.5, a.Layers.Sum(l => cost.Whole(l.Layer)), CostKind.Macs), new PlannerOptions { Cost = cost });
        var json = PlanJson.Write(plan);
        Assert.That(json, Does.Contain("\"cost\":\"macs\"").And.Contain($"\"macs_after\":{plan.Cost!.After}").And.Contain("\"macs_before\""));
        var back = PlanJson.Parse(json); // readers of version 1 still read it
        Assert.That(back.ParamsAfter, Is.EqualTo(plan.ParamsAfter));
    }
}
