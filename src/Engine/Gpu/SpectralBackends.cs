using Alds.Engine.Analysis;
using Alds.Interop;

namespace Alds.Engine.Gpu;

/// <summary>Chooses the spectral backend for <c>--device cpu|cuda|auto</c>.</summary>
public static class SpectralBackends
{
    /// <summary>
    /// <c>cpu</c>: <paramref name="cpuFactory"/>; <c>cuda</c>: the GPU backend, or a
    /// <see cref="NotSupportedException"/> saying why CUDA cannot be used; <c>auto</c>: the GPU
    /// backend when a device is available and opens, else the CPU one.
    /// </summary>
    public static ISpectralBackend Create(string device, Func<ISpectralBackend> cpuFactory)
    {
        ArgumentNullException.ThrowIfNull(cpuFactory);
        switch (device?.Trim().ToLowerInvariant())
        {
            case "cpu":
                return cpuFactory();
            case "cuda":
                if (!CudaRuntime.IsAvailable)
                    throw new NotSupportedException($"--device cuda: CUDA is not available ({CudaRuntime.UnavailableReason})");
                try
                {
                    return GpuSpectralBackend.Create();
                }
                catch (Exception e) when (e is GpuException or DllNotFoundException or EntryPointNotFoundException)
                {
                    throw new NotSupportedException($"--device cuda: {e.Message}", e);
                }
            case "auto":
                if (CudaRuntime.IsAvailable)
                {
                    try { return GpuSpectralBackend.Create(); }
                    catch (Exception e) when (e is GpuException or DllNotFoundException or EntryPointNotFoundException) { }
                }
                return cpuFactory();
            default:
                throw new ArgumentException($"--device must be cpu, cuda or auto, not '{device}'", nameof(device));
        }
    }
}
