namespace Alds.Interop;

/// <summary>A <c>cudaStream_t</c>.</summary>
internal sealed class CudaStream : GpuHandle
{
    private CudaStream(nint raw) : base(raw) { }

    /// <summary>Creates a stream on the current device.</summary>
    public static CudaStream Create()
    {
        CudaException.ThrowIfFailed(Cudart.StreamCreate(out var raw));
        return new CudaStream(raw);
    }

    /// <summary>Waits until all work queued on the stream has finished.</summary>
    public void Synchronize() => CudaException.ThrowIfFailed(Cudart.StreamSynchronize(this));

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cudart.StreamDestroy(handle) == CudaError.Success);
}
