using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary>What a CUDA device is.</summary>
/// <param name="Ordinal">runtime device index</param>
/// <param name="Name">marketing name (e.g. "NVIDIA H100 80GB HBM3")</param>
/// <param name="Major">compute capability, major</param>
/// <param name="Minor">compute capability, minor</param>
/// <param name="MultiProcessors">streaming multiprocessors</param>
/// <param name="TotalMemoryBytes">device memory</param>
internal sealed record CudaDeviceInfo(int Ordinal, string Name, int Major, int Minor, int MultiProcessors, long TotalMemoryBytes)
{
    /// <summary>The NVRTC architecture option value, e.g. <c>sm_90</c>.</summary>
    public string Architecture => $"sm_{Major}{Minor}";
}

/// <summary>Whether CUDA can be used here, and what the device is.</summary>
internal static class CudaRuntime
{
    private static readonly Lazy<(bool ok, string reason)> Probe = new(ProbeOnce);

    /// <summary>
    /// True when the CUDA libraries load and at least one device is present. Never throws:
    /// a missing driver, library or device gives false (see <see cref="UnavailableReason"/>).
    /// </summary>
    public static bool IsAvailable => Probe.Value.ok;

    /// <summary>Why CUDA is not available, or null when it is.</summary>
    public static string? UnavailableReason => Probe.Value.ok ? null : Probe.Value.reason;

    /// <summary>Whether cuSOLVER exports <c>cusolverDnXsyevBatched</c> (CUDA ≥ 12.6); false when unavailable.</summary>
    public static bool HasBatchedLargeEigensolver
    {
        get
        {
            try { return IsAvailable && Cusolver.HasXsyevBatched; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
        }
    }

    /// <summary>Number of CUDA devices; throws <see cref="CudaException"/> when the runtime fails.</summary>
    public static int DeviceCount()
    {
        CudaException.ThrowIfFailed(Cudart.GetDeviceCount(out var count));
        return count;
    }

    /// <summary>The CUDA runtime version as <c>1000·major + 10·minor</c> (e.g. 13000).</summary>
    public static int RuntimeVersion()
    {
        CudaException.ThrowIfFailed(Cudart.RuntimeGetVersion(out var version));
        return version;
    }

    /// <summary>Makes device <paramref name="ordinal"/> current for this thread's runtime calls.</summary>
    public static void SetDevice(int ordinal) => CudaException.ThrowIfFailed(Cudart.SetDevice(ordinal));

    /// <summary>Describes device <paramref name="ordinal"/>.</summary>
    public static unsafe CudaDeviceInfo Describe(int ordinal)
    {
        CudaException.ThrowIfFailed(Cudart.DeviceGetAttribute(out var major, CudaDeviceAttribute.ComputeCapabilityMajor, ordinal));
        CudaException.ThrowIfFailed(Cudart.DeviceGetAttribute(out var minor, CudaDeviceAttribute.ComputeCapabilityMinor, ordinal));
        CudaException.ThrowIfFailed(Cudart.DeviceGetAttribute(out var sms, CudaDeviceAttribute.MultiProcessorCount, ordinal));
        CudaDriverException.ThrowIfFailed(CuDriver.Init(0));
        CudaDriverException.ThrowIfFailed(CuDriver.DeviceGet(out var device, ordinal));
        var name = stackalloc byte[256];
        CudaDriverException.ThrowIfFailed(CuDriver.DeviceGetName(name, 256, device));
        CudaDriverException.ThrowIfFailed(CuDriver.DeviceTotalMem(out var bytes, device));
        return new CudaDeviceInfo(ordinal, Marshal.PtrToStringUTF8((nint)name) ?? "?", major, minor, sms, (long)bytes);
    }

    /// <summary>Queues a copy of <paramref name="bytes"/> bytes on <paramref name="stream"/>.</summary>
    public static void CopyAsync(nint destination, nint source, long bytes, CudaMemcpyKind kind, CudaStream stream)
    {
        if (bytes == 0) return;
        CudaException.ThrowIfFailed(Cudart.MemcpyAsync(destination, source, (nuint)bytes, kind, stream));
    }

    /// <summary>Queues a byte fill of device memory on <paramref name="stream"/>.</summary>
    public static void MemsetAsync(nint destination, int value, long bytes, CudaStream stream)
    {
        if (bytes == 0) return;
        CudaException.ThrowIfFailed(Cudart.MemsetAsync(destination, value, (nuint)bytes, stream));
    }

    private static (bool, string) ProbeOnce()
    {
        try
        {
            var status = Cudart.GetDeviceCount(out var count);
            if (status != CudaError.Success)
                return (false, $"cudaGetDeviceCount failed with cudaError{status} ({(int)status})");
            return count > 0 ? (true, "") : (false, "no CUDA device");
        }
        catch (Exception e)
        {
            // DllNotFound, EntryPointNotFound, BadImageFormat, or anything a broken install throws.
            return (false, e.Message);
        }
    }
}
