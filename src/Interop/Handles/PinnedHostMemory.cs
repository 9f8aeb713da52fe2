namespace Alds.Interop;

/// <summary>Page-locked host memory from <c>cudaMallocHost</c>, for asynchronous copies.</summary>
internal sealed class PinnedHostMemory : GpuHandle
{
    private PinnedHostMemory(nint raw, long bytes) : base(raw) => Bytes = bytes;

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Allocates <paramref name="bytes"/> (at least 1) bytes of pinned host memory.</summary>
    public static PinnedHostMemory Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        CudaException.ThrowIfFailed(Cudart.MallocHost(out var raw, (nuint)Math.Max(bytes, 1)));
        return new PinnedHostMemory(raw, bytes);
    }

    /// <summary>The host address, valid while this object is alive and not disposed.</summary>
    public nint DangerousPointer => DangerousGetHandle();

    /// <summary>A view of the memory; it must not outlive this object.</summary>
    public unsafe Span<T> DangerousAsSpan<T>() where T : unmanaged =>
        new((void*)DangerousGetHandle(), checked((int)(Bytes / sizeof(T))));

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cudart.FreeHost(handle) == CudaError.Success);
}
