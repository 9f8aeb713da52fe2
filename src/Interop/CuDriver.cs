using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary>
/// The CUDA driver API (<c>libcuda</c>) calls needed to load NVRTC output and launch it in the
/// primary context that the runtime uses. C# name = native name minus <c>cu</c>.
/// </summary>
internal static unsafe partial class CuDriver
{
    static CuDriver() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuInit")]
    internal static partial CuResult Init(uint flags);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuDeviceGet")]
    internal static partial CuResult DeviceGet(out int /* CUdevice */ device, int ordinal);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuDeviceGetName")]
    internal static partial CuResult DeviceGetName(byte* name, int length, int /* CUdevice */ device);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuDeviceTotalMem_v2")]
    internal static partial CuResult DeviceTotalMem(out nuint bytes, int /* CUdevice */ device);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuDevicePrimaryCtxRetain")]
    internal static partial CuResult DevicePrimaryCtxRetain(out nint /* CUcontext */ context, int /* CUdevice */ device);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    internal static partial CuResult DevicePrimaryCtxRelease(int /* CUdevice */ device);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuCtxSetCurrent")]
    internal static partial CuResult CtxSetCurrent(nint /* CUcontext */ context);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuModuleLoadData")]
    internal static partial CuResult ModuleLoadData(out nint /* CUmodule */ module, byte* image);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuModuleUnload")]
    internal static partial CuResult ModuleUnload(nint /* CUmodule */ module);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuModuleGetFunction", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial CuResult ModuleGetFunction(out nint /* CUfunction */ function, CudaModule module, string name);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuLaunchKernel")]
    internal static partial CuResult LaunchKernel(
        nint /* CUfunction */ function,
        uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, CudaStream stream,
        void** kernelParameters, void** extra);

    [LibraryImport(NativeLibraries.Driver, EntryPoint = "cuGetErrorString")]
    internal static partial CuResult GetErrorString(CuResult error, out nint /* const char* */ text);
}
