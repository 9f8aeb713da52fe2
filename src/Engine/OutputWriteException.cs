namespace Alds.Engine;

/// <summary>
/// An output that cannot be written (a full disk, no permission, a folder that cannot be created): neither bad input
/// nor a bug. <see cref="Exception.Message"/> is one line naming the output and the system's reason.
/// </summary>
public sealed class OutputWriteException(string message, Exception? inner = null) : Exception(message, inner);
