namespace Alds.Interop;

/// <summary>A <c>cudaMalloc</c> allocation of <see cref="Bytes"/> bytes.</summary>
internal sealed class DeviceMemory : GpuHandle
{
    private DeviceMemory(nint raw, long bytes) : base(raw) => Bytes = bytes;

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Allocates <paramref name="bytes"/> (at least 1) bytes on the current device.</summary>
    public static DeviceMemory Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        CudaException.ThrowIfFailed(Cudart.Malloc(out var raw, (nuint)Math.Max(bytes, 1)));
        return new DeviceMemory(raw, bytes);
    }

    /// <summary>Allocates room for <paramref name="count"/> values of <typeparamref name="T"/>.</summary>
    public static unsafe DeviceMemory Allocate<T>(long count) where T : unmanaged => Allocate(checked(count * sizeof(T)));

    /// <summary>The device address, valid while this object is alive and not disposed.</summary>
    public nint DangerousPointer => DangerousGetHandle();

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cudart.Free(handle) == CudaError.Success);
}
