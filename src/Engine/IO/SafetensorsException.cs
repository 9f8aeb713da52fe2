namespace Alds.Engine.IO;

/// <summary>
/// A safetensors file that cannot be used. The message is one line:
/// <c>FILE: tensor 'NAME': what is wrong</c> (the tensor part only where one is known).
/// </summary>
internal sealed class SafetensorsException : ModelFormatException
{
    public SafetensorsException(SafetensorsErrorKind kind, string filePath, string? tensorName, string detail, Exception? inner = null)
        : base(Format(filePath, tensorName, detail), inner)
    {
        Kind = kind;
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>Which rule was broken.</summary>
    public SafetensorsErrorKind Kind { get; }

    /// <summary>The file as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>The offending tensor, where one is known.</summary>
    public string? TensorName { get; }

    private static string Format(string filePath, string? tensorName, string detail)
    {
        var line = tensorName is null ? $"{filePath}: {detail}" : $"{filePath}: tensor '{tensorName}': {detail}";
        // One line, whatever the file or JSON parser put in the detail or the names.
        return line.ReplaceLineEndings(" ");
    }
}
