namespace Alds.Interop;

/// <summary>A <c>cusolverDnHandle_t</c>.</summary>
internal sealed class CusolverHandle : GpuHandle
{
    private CusolverHandle(nint raw) : base(raw) { }

    /// <summary>Creates a dense cuSOLVER context on the current device.</summary>
    public static CusolverHandle Create()
    {
        CusolverException.ThrowIfFailed(Cusolver.DnCreate(out var raw));
        return new CusolverHandle(raw);
    }

    /// <summary>Queues this handle's work on <paramref name="stream"/>.</summary>
    public void SetStream(CudaStream stream) => CusolverException.ThrowIfFailed(Cusolver.DnSetStream(this, stream));

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cusolver.DnDestroy(handle) == CusolverStatus.Success);
}
