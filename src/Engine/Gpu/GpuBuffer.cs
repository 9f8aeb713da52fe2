using Alds.Interop;

namespace Alds.Engine.Gpu;

/// <summary>A device allocation that only grows, reused across layers to avoid repeated cudaMalloc.</summary>
internal sealed class GpuBuffer : IDisposable
{
    private DeviceMemory? memory;

    /// <summary>A device pointer to at least <paramref name="bytes"/> bytes, valid until the next call or disposal.</summary>
    public nint Ensure(long bytes)
    {
        if (memory is null || memory.Bytes < bytes)
        {
            memory?.Dispose();
            memory = null;
            memory = DeviceMemory.Allocate(bytes);
        }
        return memory.DangerousPointer;
    }

    public void Dispose() => memory?.Dispose();
}

/// <summary>Pinned host staging memory that only grows.</summary>
internal sealed class PinnedBuffer : IDisposable
{
    private PinnedHostMemory? memory;

    /// <summary>Pinned memory of at least <paramref name="bytes"/> bytes, valid until the next call or disposal.</summary>
    public PinnedHostMemory Ensure(long bytes)
    {
        if (memory is null || memory.Bytes < bytes)
        {
            memory?.Dispose();
            memory = null;
            memory = PinnedHostMemory.Allocate(bytes);
        }
        return memory;
    }

    public void Dispose() => memory?.Dispose();
}
