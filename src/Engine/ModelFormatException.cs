namespace Alds.Engine;

/// <summary>
/// A model or data file that cannot be used. <see cref="Exception.Message"/> is one line
/// naming the file, the tensor where known, and what is wrong.
/// </summary>
public class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);
