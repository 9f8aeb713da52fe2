using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary><c>nvrtcResult</c>.</summary>
internal enum NvrtcResult
{
    Success = 0,
    OutOfMemory = 1,
    ProgramCreationFailure = 2,
    InvalidInput = 3,
    InvalidProgram = 4,
    InvalidOption = 5,
    Compilation = 6,
    BuiltinOperationFailure = 7,
    NoNameExpressionsAfterCompilation = 8,
    NoLoweredNamesBeforeCompilation = 9,
    NameExpressionNotValid = 10,
    InternalError = 11,
}

/// <summary>An NVRTC call that failed; for a compilation error, <see cref="Log"/> holds the compiler's log.</summary>
internal sealed class NvrtcException : GpuException
{
    /// <summary>The status returned.</summary>
    public NvrtcResult Status { get; }

    /// <summary>The program log (compilation errors), or null.</summary>
    public string? Log { get; }

    /// <inheritdoc />
    public override int Code => (int)Status;

    /// <summary>Creates the exception; <paramref name="cause"/> is NVIDIA's text for the status.</summary>
    public NvrtcException(NvrtcResult status, string call, string? cause, string? log = null)
        : base(Format("NVRTC", call, $"NVRTC_ERROR_{CublasException.ToUpperSnake(status)}", (int)status,
            log is null ? cause : $"{cause}; log: {FirstLine(log)}"), call)
    {
        Status = status;
        Log = log;
    }

    /// <summary>Throws when <paramref name="status"/> is not success, with <c>nvrtcGetErrorString</c>'s text.</summary>
    public static void ThrowIfFailed(NvrtcResult status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != NvrtcResult.Success) throw new NvrtcException(status, call, Describe(status));
    }

    /// <summary>NVIDIA's description of <paramref name="status"/>, or null when the library cannot say.</summary>
    public static string? Describe(NvrtcResult status)
    {
        try
        {
            var text = Nvrtc.GetErrorString(status);
            return text == 0 ? null : Marshal.PtrToStringUTF8(text);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static string FirstLine(string log)
    {
        foreach (var line in log.Split('\n'))
            if (line.Contains("error", StringComparison.OrdinalIgnoreCase)) return line.Trim();
        return log.Split('\n')[0].Trim();
    }
}
