using Alds.Engine.Analysis;
using Alds.Engine.Gpu;
using Alds.Engine.Layers;
using Alds.Interop;

namespace Alds.Engine.Tests.Gpu;

/// <summary>
/// The CUDA backend against the managed oracle (<see cref="ReferenceSpectra"/>): error curves within
/// 1e-6 absolute (the backend's precision contract), factors that reconstruct the groups.
/// Skipped without a CUDA device.
/// </summary>
[Category("Gpu")]
[NonParallelizable]
public class GpuSpectralBackendTests
{
    private GpuSpectralBackend? backend;

    [OneTimeSetUp]
    public void Open()
    {
        if (CudaRuntime.IsAvailable) backend = GpuSpectralBackend.Create();
    }

    [OneTimeTearDown]
    public void Close() => backend?.Dispose();

    private GpuSpectralBackend Backend
    {
        get
        {
            Assume.That(CudaRuntime.IsAvailable, Is.True, $"no CUDA device: {CudaRuntime.UnavailableReason}");
            return backend!;
        }
    }

    private static void AssertMatchesReference(IReadOnlyList<SchemeOption> options, LayerSpec layer, double[] w)
    {
        foreach (var o in options)
        {
            var r = ReferenceSpectra.Curves(layer, w, o.Scheme, o.Groups);
            Assert.That(o.ErrorsMax, Has.Length.EqualTo(r.ErrorsMax.Length), $"s={o.Scheme} k={o.Groups}");
            Assert.That(o.ErrorsMax, Is.EqualTo(r.ErrorsMax).Within(1e-6), $"max s={o.Scheme} k={o.Groups}");
            Assert.That(o.ErrorsRss, Is.EqualTo(r.ErrorsRss).Within(1e-6), $"rss s={o.Scheme} k={o.Groups}");
            Assert.That(o.Norm, Is.EqualTo(r.Norm).Within(1e-9 * r.Norm), $"norm s={o.Scheme}");
            Assert.That(o.ErrorsMax[^1], Is.Zero);
        }
    }

    [Test]
    public void AnalyzeLayer_SmallConvAllSchemes_MatchesReference()
    {
        var layer = new LayerSpec("conv", LayerKind.Conv, 8, 12, 3, 3, "conv.weight", null);
        var w = ReferenceSpectra.RandomWeight(layer, 1);

        var options = Backend.AnalyzeLayer(layer, w, FoldScheme.All, [1, 2, 3, 4, 6, 12]);

        Assert.That(options, Has.Count.EqualTo(4 * 6));
        Assert.That(options.Select(o => (o.Scheme, o.Groups)).Take(3), Is.EqualTo(new[] { (0, 1), (0, 2), (0, 3) }));
        AssertMatchesReference(options, layer, w);
    }

    [Test]
    public void AnalyzeLayer_GramsLargerThan32_MatchesReference()
    {
        // p = 48 at k = 1 and 2 (large solver), p = 32 at k = 3 (batched Jacobi).
        var layer = new LayerSpec("fc", LayerKind.Linear, 48, 96, 1, 1, "fc.weight", null);
        var w = ReferenceSpectra.RandomWeight(layer, 2);

        var options = Backend.AnalyzeLayer(layer, w, [0, 1, 2, 3], [1, 2, 3, 5]);

        Assert.That(options.Select(o => o.Groups), Is.EqualTo(new[] { 1, 2, 3 }), "linear: scheme 0 only; 5 does not divide 96");
        AssertMatchesReference(options, layer, w);
    }

    [Test]
    public void AnalyzeLayer_SyevdLoopFallback_MatchesReference()
    {
        Assume.That(CudaRuntime.IsAvailable, Is.True, "no CUDA device");
        using var loop = GpuSpectralBackend.Create(allowBatchedLargeSolver: false);
        var layer = new LayerSpec("conv", LayerKind.Conv, 40, 16, 3, 3, "conv.weight", null);
        var w = ReferenceSpectra.RandomWeight(layer, 3);

        var options = loop.AnalyzeLayer(layer, w, [0, 3], [1, 2, 4]);

        Assert.That(loop.LargeSolver, Is.EqualTo(LargeEigenSolver.SyevdLoop));
        AssertMatchesReference(options, layer, w);
    }

    [Test]
    public void AnalyzeLayer_ZeroWeight_AllZeroCurves()
    {
        var layer = new LayerSpec("z", LayerKind.Conv, 4, 4, 3, 3, "z.weight", null);

        var options = Backend.AnalyzeLayer(layer, new double[layer.Params], [0], [1, 2]);

        foreach (var o in options)
        {
            Assert.That(o.Norm, Is.Zero);
            Assert.That(o.ErrorsMax, Is.All.EqualTo(0.0));
            Assert.That(o.ErrorsRss, Is.All.EqualTo(0.0));
        }
    }

    [Test]
    public void AnalyzeLayer_WrongWeightLength_Throws()
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 4, 4, 3, 3, "c.weight", null);
        var gpu = Backend;

        Assert.That(() => gpu.AnalyzeLayer(layer, new double[10], [0], [1]), Throws.ArgumentException);
    }

    [TestCase(0, 2, 3)]
    [TestCase(3, 4, 2)]
    [TestCase(1, 1, 5)]
    public void Factorize_Truncated_ReconstructsToTailEnergy(int scheme, int groups, int rank)
    {
        var layer = new LayerSpec("conv", LayerKind.Conv, 6, 8, 3, 3, "conv.weight", null);
        var w = ReferenceSpectra.RandomWeight(layer, 4);

        var f = Backend.Factorize(layer, w, scheme, groups, rank);

        for (int g = 0; g < groups; g++)
        {
            var a = ReferenceSpectra.FoldGroup(layer, w, scheme, groups, g);
            var s = ReferenceSpectra.SingularValues(a);
            double residual = 0, total = 0;
            for (int r = 0; r < f.M; r++)
            for (int c = 0; c < f.N; c++)
            {
                double approx = 0;
                for (int t = 0; t < rank; t++) approx += f.Decoders[g][r * rank + t] * f.Encoders[g][t * f.N + c];
                residual += (a[r, c] - approx) * (a[r, c] - approx);
                total += a[r, c] * a[r, c];
            }
            var tail = s.Skip(rank).Sum(v => v * v);
            Assert.That(Math.Sqrt(residual), Is.EqualTo(Math.Sqrt(tail)).Within(1e-6 * Math.Sqrt(total)), $"group {g}");
            Assert.That(f.SingularValues[g], Is.EqualTo(s.Take(rank)).Within(1e-6 * s[0]));
        }
    }

    [Test]
    public void Factorize_FullRank_ReconstructsExactly()
    {
        var layer = new LayerSpec("fc", LayerKind.Linear, 5, 9, 1, 1, "fc.weight", null);
        var w = ReferenceSpectra.RandomWeight(layer, 5);

        var f = Backend.Factorize(layer, w, 0, 1, 5);

        for (int r = 0; r < 5; r++)
        for (int c = 0; c < 9; c++)
        {
            double approx = 0;
            for (int t = 0; t < 5; t++) approx += f.Decoders[0][r * 5 + t] * f.Encoders[0][t * 9 + c];
            Assert.That(approx, Is.EqualTo(w[r * 9 + c]).Within(1e-8));
        }
    }
}
