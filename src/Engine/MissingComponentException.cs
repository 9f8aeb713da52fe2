namespace Alds.Engine;

/// <summary>
/// An optional component that a request needs is not installed or cannot be used (a GPU or its libraries, the LAPACK
/// peer of <c>alds bench</c>): neither bad input nor a bug. <see cref="Exception.Message"/> is one line naming the
/// component and what to install or change.
/// </summary>
public sealed class MissingComponentException(string message, Exception? inner = null) : Exception(message, inner);
