using System.Runtime.InteropServices;
using Alds.Interop;

namespace Alds.Engine.Tests.Gpu;

public class CudaRuntimeTests
{
    [Test]
    public void IsAvailable_Anywhere_NeverThrows()
    {
        Assert.That(() => CudaRuntime.IsAvailable, Throws.Nothing);
        Assert.That(() => CudaRuntime.HasBatchedLargeEigensolver, Throws.Nothing);
    }

    [Test]
    public void IsAvailable_NoCudaLibrary_IsFalseWithReason()
    {
        Assume.That(NativeLibraries.Candidates("cudart").Any(p => NativeLibrary.TryLoad(p, out _)), Is.False,
            "a CUDA runtime is installed here");

        Assert.That(CudaRuntime.IsAvailable, Is.False);
        Assert.That(CudaRuntime.UnavailableReason, Does.Contain("libcudart"));
        Assert.That(CudaRuntime.HasBatchedLargeEigensolver, Is.False);
    }

    [Test]
    public void Architecture_ComputeCapability_IsSmMajorMinor()
    {
        var info = new CudaDeviceInfo(0, "NVIDIA H100", 9, 0, 132, 80L << 30);

        Assert.That(info.Architecture, Is.EqualTo("sm_90"));
    }
}
