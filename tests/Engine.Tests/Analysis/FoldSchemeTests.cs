using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Analysis;

public class FoldSchemeTests
{
    [Test]
    public void Params_EachScheme_MatchesFormula()
    {
        // j · (k·out·dec + in·enc)
        Assert.That(FoldScheme.Params(0, 2, 3, 64, 32, 3, 3), Is.EqualTo(3 * (2 * 64 * 1 + 32 * 9)));
        Assert.That(FoldScheme.Params(3, 1, 1, 64, 32, 3, 3), Is.EqualTo(64 * 9 + 32));
        Assert.That(FoldScheme.Params(1, 1, 1, 64, 32, 3, 5), Is.EqualTo(64 * 3 + 32 * 5));
        Assert.That(FoldScheme.Params(2, 4, 2, 64, 32, 3, 5), Is.EqualTo(2 * (4 * 64 * 5 + 32 * 3)));
    }

    [TestCase(0)] [TestCase(1)] [TestCase(2)] [TestCase(3)]
    public void FoldApply_ThenUnapply_RoundTrips(int scheme)
    {
        var fold = new Fold(scheme, 5, 4, 3, 2);
        var w = Enumerable.Range(0, 5 * 4 * 3 * 2).Select(i => (double)i).ToArray();
        var f = new double[w.Length];
        var back = new double[w.Length];
        fold.Apply(w, f);
        fold.Unapply(f, back);
        Assert.That(back, Is.EqualTo(w).AsCollection);
        Assert.That(f.Distinct().Count(), Is.EqualTo(w.Length));
    }

    [Test]
    public void Schemes_LinearAndOneByOne_OnlySchemeZero()
    {
        var linear = new LayerSpec("fc", LayerKind.Linear, 10, 20, 1, 1, "fc.weight", null);
        var pointwise = new LayerSpec("pw", LayerKind.Conv, 10, 20, 1, 1, "pw.weight", null);
        var wide = new LayerSpec("w", LayerKind.Conv, 10, 20, 1, 3, "w.weight", null);
        Assert.That(GroupCounts.Schemes(linear, FoldScheme.All), Is.EqualTo(new[] { 0 }));
        Assert.That(GroupCounts.Schemes(pointwise, FoldScheme.All), Is.EqualTo(new[] { 0 }));
        Assert.That(GroupCounts.Schemes(wide, FoldScheme.All), Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void Candidates_ResNetStem_OnlyDivisorsSmallerThanLayer()
    {
        var stem = new LayerSpec("conv1", LayerKind.Conv, 64, 3, 7, 7, "conv1.weight", null);
        Assert.That(GroupCounts.Candidates(stem, 0), Is.EqualTo(new[] { 1, 3 }));
        var tiny = new LayerSpec("t", LayerKind.Linear, 2, 2, 1, 1, "t.weight", null);
        Assert.That(GroupCounts.Candidates(tiny, 0), Is.Empty); // rank 1 costs 2+2 = 4 = original
    }
}
