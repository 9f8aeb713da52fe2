namespace Alds.Interop;

/// <summary>A <c>CUmodule</c> loaded from CUBIN or PTX into the current context.</summary>
internal sealed class CudaModule : GpuHandle
{
    private CudaModule(nint raw) : base(raw) { }

    /// <summary>Loads <paramref name="image"/> (CUBIN, or zero-terminated PTX) into the current context.</summary>
    public static unsafe CudaModule Load(ReadOnlySpan<byte> image)
    {
        nint raw;
        fixed (byte* p = image) CudaDriverException.ThrowIfFailed(CuDriver.ModuleLoadData(out raw, p));
        return new CudaModule(raw);
    }

    /// <summary>The entry point <paramref name="name"/> (an <c>extern "C"</c> kernel); valid while the module lives.</summary>
    public CudaFunction GetFunction(string name)
    {
        CudaDriverException.ThrowIfFailed(CuDriver.ModuleGetFunction(out var fn, this, name));
        return new CudaFunction(fn, name, this);
    }

    protected override bool ReleaseHandle() => ReleaseQuietly(() => CuDriver.ModuleUnload(handle) == CuResult.Success);
}

/// <summary>A kernel of a <see cref="CudaModule"/>; owns nothing (the module does).</summary>
internal sealed class CudaFunction
{
    private readonly nint function;
    private readonly CudaModule module;

    internal CudaFunction(nint function, string name, CudaModule module)
    {
        this.function = function;
        this.module = module;
        Name = name;
    }

    /// <summary>The kernel's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Launches on <paramref name="stream"/>; <paramref name="arguments"/> are pointers to each
    /// argument's value, in order, as <c>cuLaunchKernel</c> takes them.
    /// </summary>
    public unsafe void Launch(uint gridX, uint blockX, CudaStream stream, ReadOnlySpan<nint> arguments, uint gridY = 1)
    {
        bool added = false;
        try
        {
            module.DangerousAddRef(ref added);
            fixed (nint* args = arguments)
                CudaDriverException.ThrowIfFailed(
                    CuDriver.LaunchKernel(function, gridX, gridY, 1, blockX, 1, 1, 0, stream, (void**)args, null),
                    $"cuLaunchKernel({Name}, grid {gridX}x{gridY}, block {blockX})");
        }
        finally
        {
            if (added) module.DangerousRelease();
        }
    }
}
