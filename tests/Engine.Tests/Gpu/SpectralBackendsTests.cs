using Alds.Engine.Analysis;
using Alds.Engine.Gpu;
using Alds.Engine.Layers;
using Alds.Interop;

namespace Alds.Engine.Tests.Gpu;

public class SpectralBackendsTests
{
    private sealed class FakeCpu : ISpectralBackend
    {
        public string Name => "fake-cpu";
        public IReadOnlyList<SchemeOption> AnalyzeLayer(LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts) => [];
        public void Dispose() { }
    }

    [Test]
    public void Create_Cpu_UsesFactory()
    {
        using var b = SpectralBackends.Create("cpu", () => new FakeCpu());

        Assert.That(b.Name, Is.EqualTo("fake-cpu"));
    }

    [Test]
    public void Create_AutoWithoutDevice_FallsBackToCpu()
    {
        Assume.That(CudaRuntime.IsAvailable, Is.False, "a CUDA device is present");

        using var b = SpectralBackends.Create("auto", () => new FakeCpu());

        Assert.That(b.Name, Is.EqualTo("fake-cpu"));
    }

    [Test]
    public void Create_CudaWithoutDevice_SaysWhy()
    {
        Assume.That(CudaRuntime.IsAvailable, Is.False, "a CUDA device is present");

        var e = Assert.Throws<NotSupportedException>(() => SpectralBackends.Create("cuda", () => new FakeCpu()));

        Assert.That(e!.Message, Does.StartWith("--device cuda: CUDA is not available"));
    }

    [Test]
    public void Create_UnknownDevice_Throws()
    {
        Assert.That(() => SpectralBackends.Create("tpu", () => new FakeCpu()), Throws.ArgumentException);
    }

    // out = 8, in = 8, kh = 3, kw = 5, k = 2 (in/k = 4): m = out·dec, n = (in/k)·enc.
    [TestCase(0, 8, 60)]
    [TestCase(1, 24, 20)]
    [TestCase(2, 40, 12)]
    [TestCase(3, 120, 4)]
    public void GroupShape_Conv8x8x3x5TwoGroups_FollowsDesignTable(int scheme, int m, int n)
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 8, 8, 3, 5, "c.weight", null);

        var shape = FoldScheme.GroupShape(scheme, layer, 2);

        Assert.That(shape, Is.EqualTo((m, n)));
        Assert.That((long)m * n * 2, Is.EqualTo(layer.Params));
    }

    [Test]
    public void EffectiveSchemes_Linear_IsSchemeZeroOnly()
    {
        var linear = new LayerSpec("fc", LayerKind.Linear, 4, 6, 1, 1, "fc.weight", null);

        Assert.That(GpuSpectralBackend.EffectiveSchemes(linear, [0, 1, 2, 3]), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void EffectiveSchemes_BadScheme_Throws()
    {
        var conv = new LayerSpec("c", LayerKind.Conv, 4, 6, 3, 3, "c.weight", null);

        Assert.That(() => GpuSpectralBackend.EffectiveSchemes(conv, [0, 4]), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Normalise_ZeroNorm_GivesZeroCurves()
    {
        var o = GpuSpectralBackend.Normalise(0, 1, 0.0, [0, 0, 0], [0, 0, 0]);

        Assert.That(o.ErrorsMax, Is.All.EqualTo(0.0));
        Assert.That(o.ErrorsRss, Is.All.EqualTo(0.0));
        Assert.That(o.MaxRank, Is.EqualTo(3));
    }

    [Test]
    public void Normalise_PositiveNorm_DividesBothCurves()
    {
        var o = GpuSpectralBackend.Normalise(1, 2, 4.0, [2, 1, 0], [4, 2, 0]);

        Assert.That(o.ErrorsMax, Is.EqualTo(new[] { 0.5, 0.25, 0 }));
        Assert.That(o.ErrorsRss, Is.EqualTo(new[] { 1.0, 0.5, 0 }));
        Assert.That(o.Norm, Is.EqualTo(4.0));
    }
}
