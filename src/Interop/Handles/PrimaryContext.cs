namespace Alds.Interop;

/// <summary>
/// A retained reference to a device's primary context: the one the CUDA runtime uses, so that
/// driver-API modules and runtime/cuBLAS/cuSOLVER calls share memory and streams.
/// </summary>
internal sealed class PrimaryContext : GpuHandle
{
    private PrimaryContext(nint raw, int device) : base(raw) => Device = device;

    /// <summary>The driver device ordinal.</summary>
    public int Device { get; }

    /// <summary>Initialises the driver, retains device <paramref name="ordinal"/>'s primary context and makes it current.</summary>
    public static PrimaryContext Retain(int ordinal)
    {
        CudaDriverException.ThrowIfFailed(CuDriver.Init(0));
        CudaDriverException.ThrowIfFailed(CuDriver.DeviceGet(out var device, ordinal));
        CudaDriverException.ThrowIfFailed(CuDriver.DevicePrimaryCtxRetain(out var raw, device));
        var context = new PrimaryContext(raw, device);
        context.MakeCurrent();
        return context;
    }

    /// <summary>Makes the context current on the calling thread (needed once per thread for driver calls).</summary>
    public void MakeCurrent() => CudaDriverException.ThrowIfFailed(CuDriver.CtxSetCurrent(DangerousGetHandle()));

    protected override bool ReleaseHandle()
    {
        var device = Device;
        return ReleaseQuietly(() => CuDriver.DevicePrimaryCtxRelease(device) == CuResult.Success);
    }
}
