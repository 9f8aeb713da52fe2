namespace Alds.Interop;

/// <summary>A <c>cudaEvent_t</c> with timing enabled.</summary>
internal sealed class CudaEvent : GpuHandle
{
    private CudaEvent(nint raw) : base(raw) { }

    /// <summary>Creates an event on the current device.</summary>
    public static CudaEvent Create()
    {
        CudaException.ThrowIfFailed(Cudart.EventCreate(out var raw));
        return new CudaEvent(raw);
    }

    /// <summary>Records the event on <paramref name="stream"/>.</summary>
    public void Record(CudaStream stream) => CudaException.ThrowIfFailed(Cudart.EventRecord(this, stream));

    /// <summary>Waits for the event.</summary>
    public void Synchronize() => CudaException.ThrowIfFailed(Cudart.EventSynchronize(this));

    /// <summary>Milliseconds between <paramref name="start"/> and this (recorded and completed) event.</summary>
    public float ElapsedSince(CudaEvent start)
    {
        CudaException.ThrowIfFailed(Cudart.EventElapsedTime(out var ms, start, this));
        return ms;
    }

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cudart.EventDestroy(handle) == CudaError.Success);
}
