using Alds.Interop;

namespace Alds.Engine.Tests.Gpu;

/// <summary>Real failing calls on a device map to the right exception and status.</summary>
[Category("Gpu")]
public class GpuErrorMappingTests
{
    private static void RequireDevice() => Assume.That(CudaRuntime.IsAvailable, Is.True, $"no CUDA device: {CudaRuntime.UnavailableReason}");

    [Test]
    public void Allocate_Petabyte_ThrowsCudaMemoryAllocation()
    {
        RequireDevice();
        var e = Assert.Throws<CudaException>(() => DeviceMemory.Allocate(1L << 50));

        Assert.That(e!.Status, Is.EqualTo(CudaError.MemoryAllocation));
        Assert.That(e.Call, Does.Contain("Cudart.Malloc"));
        Assert.That(e.Message, Does.Contain("out of memory"));
    }

    [Test]
    public void Gemm_NegativeSize_ThrowsCublasInvalidValue()
    {
        RequireDevice();
        using var handle = CublasHandle.Create();

        var e = Assert.Throws<CublasException>(() => CublasException.ThrowIfFailed(Cublas.DgemmStridedBatched(handle,
            CublasOperation.None, CublasOperation.None, -1, 1, 1, 1.0, 0, 1, 0, 0, 1, 0, 0.0, 0, 1, 0, 1)));

        Assert.That(e!.Status, Is.EqualTo(CublasStatus.InvalidValue));
    }

    [Test]
    public void SyevjBufferSize_NegativeSize_ThrowsCusolverInvalidValue()
    {
        RequireDevice();
        using var handle = CusolverHandle.Create();
        using var info = SyevjInfo.Create(1e-15, 100);

        var e = Assert.Throws<CusolverException>(() => CusolverException.ThrowIfFailed(Cusolver.DnDsyevjBatchedBufferSize(handle,
            CusolverEigMode.NoVector, CublasFillMode.Lower, -1, 0, 1, 0, out _, info, 1)));

        Assert.That(e!.Status, Is.EqualTo(CusolverStatus.InvalidValue));
    }

    [Test]
    public void Compile_BadSource_ThrowsNvrtcCompilationWithLog()
    {
        RequireDevice();
        using var program = NvrtcProgram.Create("extern \"C\" __global__ void k() { undefined_name = 1; }", "bad.cu");

        var e = Assert.Throws<NvrtcException>(() => program.Compile(["--gpu-architecture=" + CudaRuntime.Describe(0).Architecture]));

        Assert.That(e!.Status, Is.EqualTo(NvrtcResult.Compilation));
        Assert.That(e.Log, Does.Contain("undefined_name"));
    }
}
