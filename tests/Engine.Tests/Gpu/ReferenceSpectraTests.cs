using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Gpu;

/// <summary>The GPU tests' oracle, checked here against LAPACK (dgesdd) and closed forms.</summary>
public class ReferenceSpectraTests
{
    [TestCase(7, 5)]
    [TestCase(5, 9)]
    [TestCase(40, 33)]
    public void SingularValues_RandomMatrix_MatchesLapackDgesdd(int m, int n)
    {
        var rng = new Random(m * 100 + n);
        var a = new double[m, n];
        var flat = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) flat[i * n + j] = a[i, j] = rng.NextDouble() - 0.5;
        var s = Oracles.Lapack.SingularValues(flat, m, n);

        var mine = ReferenceSpectra.SingularValues(a);

        Assert.That(mine, Is.EqualTo(s).Within(1e-12));
    }

    [Test]
    public void FoldGroup_Scheme0WholeLayer_IsPlainReshape()
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 3, 4, 2, 3, "c.weight", null);
        var w = Enumerable.Range(0, (int)layer.Params).Select(i => (double)i).ToArray();

        var g = ReferenceSpectra.FoldGroup(layer, w, 0, 1, 0);

        Assert.That(g.GetLength(0), Is.EqualTo(3));
        Assert.That(g.GetLength(1), Is.EqualTo(24));
        Assert.That(g[2, 23], Is.EqualTo(71));
        Assert.That(g[1, 5], Is.EqualTo(29));
    }

    [Test]
    public void FoldGroup_Scheme3SecondGroup_TakesChannelChunk()
    {
        // out=2, in=4, 1x2 kernel, k=2: group 1 holds channels 2..3; row (o, y, x), col ci.
        var layer = new LayerSpec("c", LayerKind.Conv, 2, 4, 1, 2, "c.weight", null);
        var w = Enumerable.Range(0, (int)layer.Params).Select(i => (double)i).ToArray();

        var g = ReferenceSpectra.FoldGroup(layer, w, 3, 2, 1);

        // W[o=1, ci=2+1, y=0, x=1] = ((1*4 + 3)*1 + 0)*2 + 1 = 15 lands at row 1*2+1 = 3, col 1
        Assert.That(g[3, 1], Is.EqualTo(15));
        Assert.That(g.GetLength(0), Is.EqualTo(4));
        Assert.That(g.GetLength(1), Is.EqualTo(2));
    }

    [Test]
    public void SingularValues_Diagonal_AreAbsoluteDiagonalSorted()
    {
        var a = new double[,] { { 1, 0, 0 }, { 0, -3, 0 }, { 0, 0, 2 }, { 0, 0, 0 } };

        Assert.That(ReferenceSpectra.SingularValues(a), Is.EqualTo(new[] { 3.0, 2.0, 1.0 }).Within(1e-15));
    }
}
