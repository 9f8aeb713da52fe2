using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary><c>cudaMemcpyKind</c>.</summary>
internal enum CudaMemcpyKind { HostToHost = 0, HostToDevice = 1, DeviceToHost = 2, DeviceToDevice = 3, Default = 4 }

/// <summary><c>cudaDeviceAttr</c>: the attributes this engine reads.</summary>
internal enum CudaDeviceAttribute
{
    MaxThreadsPerBlock = 1,
    MultiProcessorCount = 16,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
}

/// <summary>CUDA runtime API (<c>libcudart</c>). Device pointers are <c>nint</c>; handles are SafeHandles.</summary>
internal static partial class Cudart
{
    static Cudart() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaGetDeviceCount")]
    internal static partial CudaError GetDeviceCount(out int count);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaDeviceGetAttribute")]
    internal static partial CudaError DeviceGetAttribute(out int value, CudaDeviceAttribute attribute, int device);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaSetDevice")]
    internal static partial CudaError SetDevice(int device);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaMalloc")]
    internal static partial CudaError Malloc(out nint /* void* device */ pointer, nuint bytes);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaFree")]
    internal static partial CudaError Free(nint /* void* device */ pointer);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaMallocHost")]
    internal static partial CudaError MallocHost(out nint /* void* pinned host */ pointer, nuint bytes);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaFreeHost")]
    internal static partial CudaError FreeHost(nint /* void* pinned host */ pointer);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaMemcpyAsync")]
    internal static partial CudaError MemcpyAsync(nint /* void* */ destination, nint /* const void* */ source, nuint bytes, CudaMemcpyKind kind, CudaStream stream);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaMemsetAsync")]
    internal static partial CudaError MemsetAsync(nint /* void* device */ destination, int value, nuint bytes, CudaStream stream);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaStreamCreate")]
    internal static partial CudaError StreamCreate(out nint /* cudaStream_t */ stream);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaStreamDestroy")]
    internal static partial CudaError StreamDestroy(nint /* cudaStream_t */ stream);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaStreamSynchronize")]
    internal static partial CudaError StreamSynchronize(CudaStream stream);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaEventCreate")]
    internal static partial CudaError EventCreate(out nint /* cudaEvent_t */ cudaEvent);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaEventDestroy")]
    internal static partial CudaError EventDestroy(nint /* cudaEvent_t */ cudaEvent);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaEventRecord")]
    internal static partial CudaError EventRecord(CudaEvent cudaEvent, CudaStream stream);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaEventSynchronize")]
    internal static partial CudaError EventSynchronize(CudaEvent cudaEvent);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaEventElapsedTime")]
    internal static partial CudaError EventElapsedTime(out float milliseconds, CudaEvent start, CudaEvent end);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaGetErrorString")]
    internal static partial nint /* const char* */ GetErrorString(CudaError error);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaRuntimeGetVersion")]
    internal static partial CudaError RuntimeGetVersion(out int version);

    [LibraryImport(NativeLibraries.Cudart, EntryPoint = "cudaDriverGetVersion")]
    internal static partial CudaError DriverGetVersion(out int version);
}
