using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class OptionTableTests
{
    [Test]
    public void Build_RandomLayers_FrontierIsExactlyTheNonDominatedRawOptions()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var a = PlanningInstances.Small(seed);
            var table = OptionTable.Build(a, ErrorMeasure.Max);
            for (int l = 0; l < a.Layers.Count; l++)
            {
                var raw = PlanningInstances.RawOptions(a.Layers[l], ErrorMeasure.Max, 1, false);
                var expected = raw.Where(o => !raw.Any(p => p.Params <= o.Params && p.Error <= o.Error && (p.Params < o.Params || p.Error < o.Error)))
                    .Select(o => (o.Params, o.Error)).Distinct().OrderBy(o => o.Params).ToArray();
                var actual = table.Layers[l].Frontier.Select(o => (o.Params, o.Error)).ToArray();
                Assert.That(actual, Is.EqualTo(expected), $"seed {seed}, layer {l}");
                Assert.That(table.Layers[l].Frontier[^1].Error, Is.EqualTo(0.0));
            }
        }
    }

    [Test]
    public void Build_RankAtOrAboveOriginalSize_ReplacedByKeep()
    {
        // 4×4 linear: rank j costs 8j; j = 1 (8) is compressed, j ≥ 2 (16) is not smaller than 16
        var spec = new LayerSpec("fc", LayerKind.Linear, 4, 4, 1, 1, "fc.weight", null);
        var a = new ModelAnalysis([new LayerAnalysis(spec, [new SchemeOption(0, 1, 1, [0.5, 0.2, 0.1, 0], [0.5, 0.2, 0.1, 0])])], [0]);
        var f = OptionTable.Build(a, ErrorMeasure.Max).Layers[0].Frontier;
        Assert.That(f, Has.Count.EqualTo(2));
        Assert.That(f[0], Is.EqualTo(new PlanOption(0, 1, 1, 8, 0.5, true)));
        Assert.That(f[1], Is.EqualTo(new PlanOption(0, 1, 0, 16, 0.0, false)));
    }

    [Test]
    public void CheapestWithin_ExactTies_TakesOptionAtThreshold()
    {
        var spec = new LayerSpec("fc", LayerKind.Linear, 64, 64, 1, 1, "fc.weight", null);
        double[] e = [0.5, 0.25, 0.25, 0.125, .. new double[59], 0];
        var lo = OptionTable.Build(new ModelAnalysis([new LayerAnalysis(spec, [new SchemeOption(0, 1, 1, e, e)])], [0]), ErrorMeasure.Max).Layers[0];
        Assert.That(lo[lo.CheapestWithin(0.25)].Rank, Is.EqualTo(2));
        Assert.That(lo[lo.CheapestWithin(Math.BitDecrement(0.25))].Rank, Is.EqualTo(4));
        Assert.That(lo[lo.CheapestWithin(1.0)].Rank, Is.EqualTo(1));
    }

    [Test]
    public void Build_NaNInCurve_ThrowsNamingLayer()
    {
        var spec = new LayerSpec("conv.bad", LayerKind.Linear, 8, 8, 1, 1, "w", null);
        double[] e = [0.5, double.NaN, 0.1, 0, 0, 0, 0, 0];
        var a = new ModelAnalysis([new LayerAnalysis(spec, [new SchemeOption(0, 1, 1, e, e)])], [0]);
        var ex = Assert.Throws<PlanningException>(() => OptionTable.Build(a, ErrorMeasure.Max));
        Assert.That(ex!.Message, Does.Contain("conv.bad"));
    }
}
