using System.Text;

namespace Alds.Interop;

/// <summary>An <c>nvrtcProgram</c>: one CUDA C source being compiled.</summary>
internal sealed class NvrtcProgram : GpuHandle
{
    private NvrtcProgram(nint raw) : base(raw) { }

    /// <summary>Creates a program from <paramref name="source"/> (no headers).</summary>
    public static unsafe NvrtcProgram Create(string source, string name)
    {
        NvrtcException.ThrowIfFailed(Nvrtc.CreateProgram(out var raw, source, name, 0, null, null));
        return new NvrtcProgram(raw);
    }

    /// <summary>Compiles with <paramref name="options"/>; a failure carries the compiler log.</summary>
    public unsafe void Compile(IReadOnlyList<string> options)
    {
        var encoded = options.Select(o => Encoding.UTF8.GetBytes(o + "\0")).ToArray();
        var handles = encoded.Select(b => System.Runtime.InteropServices.GCHandle.Alloc(b, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var pointers = stackalloc byte*[Math.Max(encoded.Length, 1)];
            for (int i = 0; i < encoded.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
            var status = Nvrtc.CompileProgram(this, encoded.Length, pointers);
            if (status != NvrtcResult.Success)
                throw new NvrtcException(status, "nvrtcCompileProgram(" + string.Join(' ', options) + ")",
                    NvrtcException.Describe(status), Log());
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
    }

    /// <summary>The compiler's log (warnings and errors), possibly empty.</summary>
    public unsafe string Log()
    {
        NvrtcException.ThrowIfFailed(Nvrtc.GetProgramLogSize(this, out var size));
        var bytes = new byte[(int)size + 1];
        fixed (byte* p = bytes) NvrtcException.ThrowIfFailed(Nvrtc.GetProgramLog(this, p));
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    /// <summary>The compiled CUBIN (needs a real <c>sm_XX</c> architecture option).</summary>
    public unsafe byte[] Cubin()
    {
        NvrtcException.ThrowIfFailed(Nvrtc.GetCUBINSize(this, out var size));
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) NvrtcException.ThrowIfFailed(Nvrtc.GetCUBIN(this, p));
        return bytes;
    }

    /// <summary>The compiled PTX, zero-terminated as <c>cuModuleLoadData</c> expects.</summary>
    public unsafe byte[] Ptx()
    {
        NvrtcException.ThrowIfFailed(Nvrtc.GetPTXSize(this, out var size));
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) NvrtcException.ThrowIfFailed(Nvrtc.GetPTX(this, p));
        return bytes;
    }

    protected override bool ReleaseHandle()
    {
        var raw = handle;
        return ReleaseQuietly(() => Nvrtc.DestroyProgram(ref raw) == NvrtcResult.Success);
    }
}
