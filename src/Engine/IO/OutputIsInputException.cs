namespace Alds.Engine.IO;

/// <summary>
/// A write refused because its output is one of its inputs (the same file after resolving links and spellings):
/// bad input, unlike the other argument errors of <see cref="SafetensorsWriter"/>, which are the caller's bugs.
/// </summary>
public sealed class OutputIsInputException(string message) : ArgumentException(message);
