using System.Collections.Concurrent;
using Alds.Interop;

namespace Alds.Engine.Gpu;

/// <summary>
/// The engine's kernels, compiled by NVRTC once per process and architecture (<c>sm_XX</c> of
/// the device) and loaded as a module into the device's primary context.
/// </summary>
internal sealed class GpuKernels : IDisposable
{
    private const uint Block = 256;
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Images = new(StringComparer.Ordinal);

    private readonly CudaModule module;
    private readonly CudaFunction fold, eigToSigma, groupErrors;

    private GpuKernels(CudaModule module)
    {
        this.module = module;
        fold = module.GetFunction("fold_groups");
        eigToSigma = module.GetFunction("eig_to_sigma_desc");
        groupErrors = module.GetFunction("group_errors");
    }

    /// <summary>Compiles (or takes from the cache) and loads the kernels; the primary context must be current.</summary>
    public static GpuKernels Load(CudaDeviceInfo device)
    {
        var image = Images.GetOrAdd(device.Architecture, arch => new Lazy<byte[]>(() => Compile(arch))).Value;
        return new GpuKernels(CudaModule.Load(image));
    }

    /// <summary>NVRTC compile of all embedded sources to a CUBIN for <paramref name="architecture"/> (e.g. sm_90).</summary>
    internal static byte[] Compile(string architecture)
    {
        using var program = NvrtcProgram.Create(KernelSources.Combined(), "alds_kernels.cu");
        program.Compile([$"--gpu-architecture={architecture}"]);
        return program.Cubin();
    }

    /// <summary>Folds channel groups of <paramref name="weight"/> into <paramref name="output"/> (see kernels/fold.cu).</summary>
    public unsafe void Fold(CudaStream stream, nint weight, nint output, int outCh, int inCh, int kh, int kw,
        int scheme, int groups, bool transpose, long total)
    {
        int t = transpose ? 1 : 0;
        ReadOnlySpan<nint> args = [(nint)(&weight), (nint)(&output), (nint)(&outCh), (nint)(&inCh), (nint)(&kh),
            (nint)(&kw), (nint)(&scheme), (nint)(&groups), (nint)(&t)];
        fold.Launch(Grid(total), Block, stream, args);
    }

    /// <summary>Ascending eigenvalues (batch × p) → descending singular values.</summary>
    public unsafe void EigToSigma(CudaStream stream, nint lambda, nint sigma, int p, int batch)
    {
        ReadOnlySpan<nint> args = [(nint)(&lambda), (nint)(&sigma), (nint)(&p), (nint)(&batch)];
        eigToSigma.Launch(Grid((long)p * batch), Block, stream, args);
    }

    /// <summary>Unnormalised max and root-sum-square error curves over the groups.</summary>
    public unsafe void GroupErrors(CudaStream stream, nint sigma, nint errMax, nint errRss, int p, int groups)
    {
        ReadOnlySpan<nint> args = [(nint)(&sigma), (nint)(&errMax), (nint)(&errRss), (nint)(&p), (nint)(&groups)];
        groupErrors.Launch(Grid(p), Block, stream, args);
    }

    private static uint Grid(long total) => (uint)Math.Clamp((total + Block - 1) / Block, 1, 1 << 20);

    public void Dispose() => module.Dispose();
}
