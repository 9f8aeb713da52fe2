using Alds.Engine.Gpu;

namespace Alds.Engine.Tests.Gpu;

public class KernelSourcesTests
{
    [Test]
    public void Names_EmbeddedKernels_IncludeFoldAndSpectrum()
    {
        Assert.That(KernelSources.Names, Is.SupersetOf(new[] { "fold.cu", "spectrum.cu" }));
    }

    [TestCase("fold.cu", "fold_groups")]
    [TestCase("spectrum.cu", "eig_to_sigma_desc")]
    [TestCase("spectrum.cu", "group_errors")]
    public void Read_EmbeddedKernel_DeclaresExternCEntryPoint(string file, string kernel)
    {
        var text = KernelSources.Read(file);

        Assert.That(text, Is.Not.Empty);
        Assert.That(text, Does.Contain($"extern \"C\" __global__ void {kernel}("));
    }

    [Test]
    public void Combined_AllSources_ContainsEveryFile()
    {
        var all = KernelSources.Combined();

        foreach (var name in KernelSources.Names) Assert.That(all, Does.Contain(KernelSources.Read(name)));
    }

    [Test]
    public void Read_UnknownName_Throws()
    {
        Assert.That(() => KernelSources.Read("nope.cu"), Throws.ArgumentException);
    }
}
