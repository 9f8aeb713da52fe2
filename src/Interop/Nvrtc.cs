using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary>NVRTC (<c>libnvrtc</c>): run-time compilation of CUDA C to CUBIN or PTX.</summary>
internal static unsafe partial class Nvrtc
{
    static Nvrtc() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcVersion")]
    internal static partial NvrtcResult Version(out int major, out int minor);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcCreateProgram", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NvrtcResult CreateProgram(
        out nint /* nvrtcProgram */ program, string source, string name,
        int headerCount, byte** headers, byte** includeNames);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcDestroyProgram")]
    internal static partial NvrtcResult DestroyProgram(ref nint /* nvrtcProgram* */ program);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcCompileProgram")]
    internal static partial NvrtcResult CompileProgram(NvrtcProgram program, int optionCount, byte** options);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetProgramLogSize")]
    internal static partial NvrtcResult GetProgramLogSize(NvrtcProgram program, out nuint size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetProgramLog")]
    internal static partial NvrtcResult GetProgramLog(NvrtcProgram program, byte* log);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetCUBINSize")]
    internal static partial NvrtcResult GetCUBINSize(NvrtcProgram program, out nuint size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetCUBIN")]
    internal static partial NvrtcResult GetCUBIN(NvrtcProgram program, byte* cubin);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetPTXSize")]
    internal static partial NvrtcResult GetPTXSize(NvrtcProgram program, out nuint size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetPTX")]
    internal static partial NvrtcResult GetPTX(NvrtcProgram program, byte* ptx);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetErrorString")]
    internal static partial nint /* const char* */ GetErrorString(NvrtcResult result);
}
