using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Analysis;
using Alds.Engine.Costs;
using Alds.Engine.Layers;
using Alds.Engine.Planning;
using Alds.Engine.Tests.Cli;

namespace Alds.Engine.Tests.Costs;

public class CostFrontierTests
{
    private sealed class OutWeighted : CostModel
    {
        public override CostKind Kind => CostKind.Macs;
        public override long Whole(LayerSpec layer) => layer.Params * layer.Out;
        public override long? Factored(LayerSpec layer, int scheme, int groups, int rank) =>
            FoldScheme.Params(scheme, groups, rank, layer.Out, layer.In, layer.Kh, layer.Kw) * layer.Out;
    }

    [Test]
    public void Compute_MacsCost_TotalsWithinEachBudgetAndCsvHasThem()
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 3);
        var cost = new OutWeighted();
        var keeps = Frontier.EvenKeeps(6, 0.2, 0.9);
        var f = Frontier.Compute(a, keeps, null, new PlannerOptions { Cost = cost });
        Assert.That(f.Optimizers, Does.Not.Contain(OptimizerKind.Paper), "paper plans params budgets only");
        Assert.That(f.Kind, Is.EqualTo(CostKind.Macs));
        long before = a.Layers.Sum(l => cost.Whole(l.Layer));
        Assert.That(f.CostBefore, Is.EqualTo(before));
        for (int o = 0; o < f.Optimizers.Count; o++)
            for (int p = 0; p < keeps.Length; p++)
                if (double.IsFinite(f.Errors[o][p]))
                    Assert.That(f.Totals![o][p], Is.LessThanOrEqualTo(Math.Floor(keeps[p] * before)), $"{f.Optimizers[o].Name()} keep {keeps[p]}");
        var exact = f.Series(OptimizerKind.Exact)!;
        for (int p = 1; p < keeps.Length; p++) Assert.That(exact[p], Is.LessThanOrEqualTo(exact[p - 1]));
        var header = Frontier.ToCsv(f).Split('\n')[0];
        Assert.That(header, Is.EqualTo("keep,exact,k1,uniform,energy,exact_macs,k1_macs,uniform_macs,energy_macs"));
    }

    [Test]
    public void Plan_AlignAuto_RanksAreMultiplesOfTheCpuBlock()
    {
        var r = AldsRunner.Run("plan", "--keep", "0.5", "--align", "auto", "--json");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        int block = LatencyEnvironment.NchwcBlock;
        var layers = JsonDocument.Parse(r.Out).RootElement.GetProperty("layers").EnumerateArray()
            .Where(l => l.GetProperty("compressed").GetBoolean()).ToArray();
        Assert.That(layers, Is.Not.Empty);
        Assert.That(layers.All(l => l.GetProperty("rank").GetInt32() % block == 0));
        var bad = AldsRunner.Run("plan", "--keep", "0.5", "--align", "0");
        Assert.That(bad.Code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(bad.Err, Does.Contain("must be auto or an integer of at least 1"));
    }
}
