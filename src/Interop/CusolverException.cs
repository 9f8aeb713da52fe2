using System.Runtime.CompilerServices;

namespace Alds.Interop;

/// <summary><c>cusolverStatus_t</c>.</summary>
internal enum CusolverStatus
{
    Success = 0,
    NotInitialized = 1,
    AllocFailed = 2,
    InvalidValue = 3,
    ArchMismatch = 4,
    MappingError = 5,
    ExecutionFailed = 6,
    InternalError = 7,
    MatrixTypeNotSupported = 8,
    NotSupported = 9,
    ZeroPivot = 10,
    InvalidLicense = 11,
    InvalidWorkspace = 31,
}

/// <summary>
/// A cuSOLVER call that failed: either its status, or its <c>info</c> output
/// (<c>info &lt; 0</c>: argument <c>-info</c> was wrong; <c>info &gt; 0</c>: no convergence).
/// </summary>
internal sealed class CusolverException : GpuException
{
    /// <summary>The status returned (<see cref="CusolverStatus.Success"/> when <see cref="Info"/> failed).</summary>
    public CusolverStatus Status { get; }

    /// <summary>The non-zero <c>info</c> value, or 0 when the status failed.</summary>
    public int Info { get; }

    /// <summary>Index of the batch member whose <c>info</c> failed, or -1.</summary>
    public int BatchIndex { get; }

    /// <inheritdoc />
    public override int Code => Status != CusolverStatus.Success ? (int)Status : Info;

    /// <summary>A failed status; cuSOLVER has no status-string function, so the cause is ours.</summary>
    public CusolverException(CusolverStatus status, string call)
        : base(Format("cuSOLVER", call, $"CUSOLVER_STATUS_{CublasException.ToUpperSnake(status)}", (int)status, Describe(status)), call)
    {
        Status = status;
        BatchIndex = -1;
    }

    /// <summary>A failed <c>info</c> output of <paramref name="call"/> for batch member <paramref name="batchIndex"/>.</summary>
    public CusolverException(int info, int batchIndex, string call)
        : base(DescribeInfo(info, batchIndex, call), call)
    {
        Status = CusolverStatus.Success;
        Info = info;
        BatchIndex = batchIndex;
    }

    /// <summary>Throws when <paramref name="status"/> is not success.</summary>
    public static void ThrowIfFailed(CusolverStatus status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CusolverStatus.Success) throw new CusolverException(status, call);
    }

    /// <summary>Throws for the first non-zero entry of a downloaded <c>info</c> array.</summary>
    public static void ThrowIfInfoFailed(ReadOnlySpan<int> info, string call)
    {
        for (int b = 0; b < info.Length; b++)
            if (info[b] != 0) throw new CusolverException(info[b], b, call);
    }

    /// <summary>The cuSOLVER documentation's meaning of each status.</summary>
    public static string Describe(CusolverStatus status) => status switch
    {
        CusolverStatus.Success => "success",
        CusolverStatus.NotInitialized => "the library was not initialized (cusolverDnCreate missing or failed)",
        CusolverStatus.AllocFailed => "resource allocation failed inside the library",
        CusolverStatus.InvalidValue => "an unsupported value or parameter was passed",
        CusolverStatus.ArchMismatch => "the device lacks a feature the function needs",
        CusolverStatus.MappingError => "access to GPU memory space failed",
        CusolverStatus.ExecutionFailed => "the GPU program failed to execute",
        CusolverStatus.InternalError => "an internal cuSOLVER operation failed",
        CusolverStatus.MatrixTypeNotSupported => "the matrix type is not supported",
        CusolverStatus.NotSupported => "the operation is not supported",
        CusolverStatus.ZeroPivot => "a zero pivot was met",
        CusolverStatus.InvalidLicense => "invalid license",
        CusolverStatus.InvalidWorkspace => "the workspace is invalid",
        _ => "unknown status",
    };

    private static string DescribeInfo(int info, int batchIndex, string call) => info < 0
        ? $"cuSOLVER: {call} reported info = {info} for batch member {batchIndex}: parameter {-info} is wrong"
        : $"cuSOLVER: {call} reported info = {info} for batch member {batchIndex}: the algorithm did not converge";
}
