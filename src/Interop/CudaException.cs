using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary><c>cudaError_t</c>: the values this engine can meet (others keep their number).</summary>
internal enum CudaError
{
    Success = 0,
    InvalidValue = 1,
    MemoryAllocation = 2,
    InitializationError = 3,
    CudartUnloading = 4,
    InvalidConfiguration = 9,
    InvalidMemcpyDirection = 21,
    InsufficientDriver = 35,
    NoDevice = 100,
    InvalidDevice = 101,
    StartupFailure = 127,
    InvalidKernelImage = 200,
    DeviceUninitialized = 201,
    NoKernelImageForDevice = 209,
    UnsupportedPtxVersion = 222,
    InvalidSource = 300,
    FileNotFound = 301,
    SymbolNotFound = 500,
    InvalidResourceHandle = 400,
    NotReady = 600,
    IllegalAddress = 700,
    LaunchOutOfResources = 701,
    LaunchTimeout = 702,
    LaunchFailure = 719,
    NotSupported = 801,
    SystemNotReady = 802,
    SystemDriverMismatch = 803,
    Unknown = 999,
}

/// <summary>A CUDA runtime call (<c>libcudart</c>) that did not return <c>cudaSuccess</c>.</summary>
internal sealed class CudaException : GpuException
{
    /// <summary>The status returned.</summary>
    public CudaError Status { get; }

    /// <inheritdoc />
    public override int Code => (int)Status;

    /// <summary>Creates the exception; <paramref name="cause"/> is NVIDIA's text for the status.</summary>
    public CudaException(CudaError status, string call, string? cause)
        : base(Format("CUDA runtime", call, $"cudaError{status}", (int)status, cause), call) => Status = status;

    /// <summary>Throws when <paramref name="status"/> is not success, with <c>cudaGetErrorString</c>'s text.</summary>
    public static void ThrowIfFailed(CudaError status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CudaError.Success) throw new CudaException(status, call, Describe(status));
    }

    /// <summary>NVIDIA's description of <paramref name="status"/>, or null when the library cannot say.</summary>
    public static string? Describe(CudaError status)
    {
        try
        {
            var text = Cudart.GetErrorString(status);
            return text == 0 ? null : Marshal.PtrToStringUTF8(text);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}

/// <summary><c>CUresult</c> of the driver API (<c>libcuda</c>): the values this engine can meet.</summary>
internal enum CuResult
{
    Success = 0,
    InvalidValue = 1,
    OutOfMemory = 2,
    NotInitialized = 3,
    Deinitialized = 4,
    NoDevice = 100,
    InvalidDevice = 101,
    InvalidImage = 200,
    InvalidContext = 201,
    NoBinaryForGpu = 209,
    InvalidPtx = 218,
    UnsupportedPtxVersion = 222,
    InvalidSource = 300,
    InvalidHandle = 400,
    NotFound = 500,
    IllegalAddress = 700,
    LaunchOutOfResources = 701,
    LaunchTimeout = 702,
    LaunchFailed = 719,
    NotSupported = 801,
    Unknown = 999,
}

/// <summary>A CUDA driver call (<c>libcuda</c>) that did not return <c>CUDA_SUCCESS</c>.</summary>
internal sealed class CudaDriverException : GpuException
{
    /// <summary>The status returned.</summary>
    public CuResult Status { get; }

    /// <inheritdoc />
    public override int Code => (int)Status;

    /// <summary>Creates the exception; <paramref name="cause"/> is NVIDIA's text for the status.</summary>
    public CudaDriverException(CuResult status, string call, string? cause)
        : base(Format("CUDA driver", call, $"CUDA_ERROR_{CublasException.ToUpperSnake(status)}", (int)status, cause), call) => Status = status;

    /// <summary>Throws when <paramref name="status"/> is not success, with <c>cuGetErrorString</c>'s text.</summary>
    public static void ThrowIfFailed(CuResult status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CuResult.Success) throw new CudaDriverException(status, call, Describe(status));
    }

    /// <summary>NVIDIA's description of <paramref name="status"/>, or null when the driver cannot say.</summary>
    public static string? Describe(CuResult status)
    {
        try
        {
            return CuDriver.GetErrorString(status, out var text) == CuResult.Success && text != 0
                ? Marshal.PtrToStringUTF8(text) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
