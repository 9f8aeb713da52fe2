using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary><c>cublasStatus_t</c>.</summary>
internal enum CublasStatus
{
    Success = 0,
    NotInitialized = 1,
    AllocFailed = 3,
    InvalidValue = 7,
    ArchMismatch = 8,
    MappingError = 11,
    ExecutionFailed = 13,
    InternalError = 14,
    NotSupported = 15,
    LicenseError = 16,
}

/// <summary>A cuBLAS call that did not return <c>CUBLAS_STATUS_SUCCESS</c>.</summary>
internal sealed class CublasException : GpuException
{
    /// <summary>The status returned.</summary>
    public CublasStatus Status { get; }

    /// <inheritdoc />
    public override int Code => (int)Status;

    /// <summary>Creates the exception; <paramref name="cause"/> is NVIDIA's text for the status.</summary>
    public CublasException(CublasStatus status, string call, string? cause)
        : base(Format("cuBLAS", call, $"CUBLAS_STATUS_{ToUpperSnake(status)}", (int)status, cause), call) => Status = status;

    /// <summary>Throws when <paramref name="status"/> is not success, with <c>cublasGetStatusString</c>'s text.</summary>
    public static void ThrowIfFailed(CublasStatus status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CublasStatus.Success) throw new CublasException(status, call, Describe(status));
    }

    /// <summary>NVIDIA's description (cuBLAS ≥ 11.4), or null when the library cannot say.</summary>
    public static string? Describe(CublasStatus status)
    {
        try
        {
            var text = Cublas.GetStatusString(status);
            return text == 0 ? null : Marshal.PtrToStringUTF8(text);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    internal static string ToUpperSnake(Enum value)
    {
        var name = value.ToString();
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(name[i]));
        }
        return sb.ToString();
    }
}
