using Alds.Interop;

namespace Alds.Engine.Tests.Gpu;

/// <summary>Status → exception mapping; pure managed (NVIDIA's cause text is absent without CUDA).</summary>
public class StatusExceptionTests
{
    private static CudaError FakeMalloc() => CudaError.MemoryAllocation;
    private static CublasStatus FakeGemm(int m) => m < 0 ? CublasStatus.InvalidValue : CublasStatus.Success;
    private static CusolverStatus FakeSolve() => CusolverStatus.InvalidValue;

    [Test]
    public void CudaThrowIfFailed_Failure_CarriesStatusAndCallText()
    {
        var e = Assert.Throws<CudaException>(() => CudaException.ThrowIfFailed(FakeMalloc()));

        Assert.That(e!.Status, Is.EqualTo(CudaError.MemoryAllocation));
        Assert.That(e.Code, Is.EqualTo(2));
        Assert.That(e.Call, Is.EqualTo("FakeMalloc()"));
        Assert.That(e.Message, Does.StartWith("CUDA runtime: FakeMalloc() failed with cudaErrorMemoryAllocation (2)"));
    }

    [Test]
    public void CudaThrowIfFailed_Success_DoesNothing()
    {
        Assert.That(() => CudaException.ThrowIfFailed(CudaError.Success), Throws.Nothing);
        Assert.That(() => CublasException.ThrowIfFailed(CublasStatus.Success), Throws.Nothing);
        Assert.That(() => CusolverException.ThrowIfFailed(CusolverStatus.Success), Throws.Nothing);
        Assert.That(() => NvrtcException.ThrowIfFailed(NvrtcResult.Success), Throws.Nothing);
        Assert.That(() => CudaDriverException.ThrowIfFailed(CuResult.Success), Throws.Nothing);
    }

    [Test]
    public void CublasThrowIfFailed_InvalidValue_NamesNvidiaStatus()
    {
        var e = Assert.Throws<CublasException>(() => CublasException.ThrowIfFailed(FakeGemm(-1)));

        Assert.That(e!.Status, Is.EqualTo(CublasStatus.InvalidValue));
        Assert.That(e.Call, Is.EqualTo("FakeGemm(-1)"));
        Assert.That(e.Message, Does.Contain("CUBLAS_STATUS_INVALID_VALUE (7)"));
    }

    [Test]
    public void CusolverThrowIfFailed_InvalidValue_UsesDocumentedCause()
    {
        var e = Assert.Throws<CusolverException>(() => CusolverException.ThrowIfFailed(FakeSolve()));

        Assert.That(e!.Message, Is.EqualTo(
            "cuSOLVER: FakeSolve() failed with CUSOLVER_STATUS_INVALID_VALUE (3): an unsupported value or parameter was passed"));
        Assert.That(e.BatchIndex, Is.EqualTo(-1));
    }

    [Test]
    public void CusolverInfo_Negative_IsBadArgumentOfThatBatchMember()
    {
        var e = Assert.Throws<CusolverException>(() => CusolverException.ThrowIfInfoFailed([0, 0, -4], "cusolverDnDsyevjBatched"));

        Assert.That(e!.Info, Is.EqualTo(-4));
        Assert.That(e.BatchIndex, Is.EqualTo(2));
        Assert.That(e.Status, Is.EqualTo(CusolverStatus.Success));
        Assert.That(e.Message, Does.Contain("parameter 4 is wrong").And.Contain("batch member 2"));
    }

    [Test]
    public void CusolverInfo_Positive_IsNoConvergence()
    {
        var e = Assert.Throws<CusolverException>(() => CusolverException.ThrowIfInfoFailed([0, 33], "cusolverDnDsyevjBatched"));

        Assert.That(e!.Info, Is.EqualTo(33));
        Assert.That(e.Message, Does.Contain("did not converge"));
    }

    [Test]
    public void CusolverInfo_AllZero_DoesNothing()
    {
        Assert.That(() => CusolverException.ThrowIfInfoFailed([0, 0, 0], "x"), Throws.Nothing);
    }

    [Test]
    public void NvrtcException_CompilationLog_PutsFirstErrorLineInMessage()
    {
        var log = "alds.cu(3): warning: unused\nalds.cu(7): error: identifier \"foo\" is undefined\n\n1 error detected";

        var e = new NvrtcException(NvrtcResult.Compilation, "nvrtcCompileProgram(--gpu-architecture=sm_90)", "NVRTC_ERROR_COMPILATION", log);

        Assert.That(e.Message, Does.Contain("NVRTC_ERROR_COMPILATION (6)").And.Contain("identifier \"foo\" is undefined"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
        Assert.That(e.Log, Is.EqualTo(log));
    }

    [Test]
    public void DriverException_NoBinaryForGpu_NamesStatus()
    {
        var e = Assert.Throws<CudaDriverException>(() => CudaDriverException.ThrowIfFailed(CuResult.NoBinaryForGpu, "cuModuleLoadData(image)"));

        Assert.That(e!.Message, Does.StartWith("CUDA driver: cuModuleLoadData(image) failed with CUDA_ERROR_NO_BINARY_FOR_GPU (209)"));
    }

    [Test]
    public void Exceptions_AllDeriveFromGpuException()
    {
        Assert.That(new CudaException(CudaError.Unknown, "c", null), Is.InstanceOf<GpuException>());
        Assert.That(new CublasException(CublasStatus.InternalError, "c", null), Is.InstanceOf<GpuException>());
        Assert.That(new CusolverException(CusolverStatus.InternalError, "c"), Is.InstanceOf<GpuException>());
        Assert.That(new NvrtcException(NvrtcResult.InternalError, "c", null), Is.InstanceOf<GpuException>());
    }
}
