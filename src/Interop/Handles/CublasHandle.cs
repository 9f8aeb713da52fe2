namespace Alds.Interop;

/// <summary>A <c>cublasHandle_t</c>.</summary>
internal sealed class CublasHandle : GpuHandle
{
    private CublasHandle(nint raw) : base(raw) { }

    /// <summary>Creates a cuBLAS context on the current device.</summary>
    public static CublasHandle Create()
    {
        CublasException.ThrowIfFailed(Cublas.Create(out var raw));
        return new CublasHandle(raw);
    }

    /// <summary>Queues this handle's work on <paramref name="stream"/>.</summary>
    public void SetStream(CudaStream stream) => CublasException.ThrowIfFailed(Cublas.SetStream(this, stream));

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cublas.Destroy(handle) == CublasStatus.Success);
}
