using System.Globalization;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

/// <summary>The frontier of several optimizers over one analysis: the exact optimizer is a lower envelope.</summary>
public class FrontierTests
{
    [Test]
    public void EvenKeeps_Fifty_EndsAndSpacing()
    {
        var keeps = Frontier.EvenKeeps(50);
        Assert.That(keeps, Has.Length.EqualTo(50));
        Assert.That(keeps[0], Is.EqualTo(0.05));
        Assert.That(keeps[^1], Is.EqualTo(0.95));
        for (int i = 1; i < keeps.Length; i++) Assert.That(keeps[i] - keeps[i - 1], Is.EqualTo(0.9 / 49).Within(1e-11));
    }

    [Test]
    public void EvenKeeps_OnePoint_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => Frontier.EvenKeeps(1));

    [TestCase(ErrorMeasure.Max)]
    [TestCase(ErrorMeasure.Rss)]
    public void Compute_SyntheticResNet18_ExactIsLowerEnvelopeAndMonotone(ErrorMeasure measure)
    {
        var analysis = SyntheticAnalysis.ResNet18Shaped(seed: 3);
        var keeps = Frontier.EvenKeeps(12);
        var frontier = Frontier.Compute(analysis, keeps, options: new PlannerOptions { Error = measure });
        var exact = frontier.Series(OptimizerKind.Exact)!;
        Assert.That(frontier.Optimizers, Is.EqualTo(Frontier.DefaultOptimizers));
        for (int p = 0; p < keeps.Length; p++)
        {
            // The same point planned on its own: the frontier is just many plans.
            var alone = Planner.Create(analysis, Budget.FromKeep(keeps[p], frontier.ParamsBefore), new PlannerOptions { Error = measure });
            Assert.That(exact[p], Is.EqualTo(alone.MaxRelError));
            foreach (var series in frontier.Errors)
                if (double.IsFinite(series[p])) Assert.That(exact[p], Is.LessThanOrEqualTo(series[p] + 1e-12));
            if (p > 0) Assert.That(exact[p], Is.LessThanOrEqualTo(exact[p - 1] + 1e-12));
        }
    }

    [Test]
    public void Compute_UnreachableKeep_NaNNotError()
    {
        var analysis = SyntheticAnalysis.ResNet18Shaped(seed: 5);
        var frontier = Frontier.Compute(analysis, [1e-6, 0.5], [OptimizerKind.Exact, OptimizerKind.Uniform]);
        Assert.That(frontier.Errors.All(e => double.IsNaN(e[0])));
        Assert.That(frontier.Errors.All(e => double.IsFinite(e[1])));
        var csv = Frontier.ToCsv(frontier).Split('\n');
        Assert.That(csv[0], Is.EqualTo("keep,exact,uniform"));
        Assert.That(csv[1], Is.EqualTo("1E-06,,"));
        Assert.That(double.Parse(csv[2].Split(',')[1], CultureInfo.InvariantCulture), Is.EqualTo(frontier.Errors[0][1]));
    }
}
