namespace Alds.Interop;

/// <summary>
/// Base of every failed CUDA-library call. <see cref="Call"/> is the call's source text as
/// written at the checking site; the message is one line: call, status, NVIDIA's cause.
/// </summary>
internal abstract class GpuException(string message, string call) : Exception(message)
{
    /// <summary>The failing call as written in the source.</summary>
    public string Call { get; } = call;

    /// <summary>The numeric status returned by the library.</summary>
    public abstract int Code { get; }

    private protected static string Format(string library, string call, string status, int code, string? cause) =>
        string.IsNullOrWhiteSpace(cause)
            ? $"{library}: {call} failed with {status} ({code})"
            : $"{library}: {call} failed with {status} ({code}): {cause.Trim()}";
}
