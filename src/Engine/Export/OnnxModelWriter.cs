using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Export;

/// <summary>Writes an ONNX model so that the destination holds either the whole new model or what it held before.</summary>
internal static class OnnxModelWriter
{
    /// <summary>
    /// Serialises <paramref name="model"/> to a temporary sibling of <paramref name="path"/>, flushes it
    /// to disk and renames it over <paramref name="path"/>. Models of 2 GB or more (protobuf's limit;
    /// ONNX external data) are out of scope and rejected before anything is written.
    /// </summary>
    /// <exception cref="ModelFormatException">The model is too large for a single protobuf file.</exception>
    public static void Write(ModelProto model, string path, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        long size;
        try { size = model.CalculateSize(); }
        catch (OverflowException) { size = long.MaxValue; }
        if (size < 0 || size >= int.MaxValue)
            throw new ModelFormatException($"{path}: the model is 2 GB or larger; ONNX external data is not supported");

        string full = Path.GetFullPath(path);
        using var temp = Runtime.TemporaryFiles.CreateSibling(full);
        using (var stream = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            model.WriteTo(stream);
            stream.Flush(flushToDisk: true);
        }
        cancel.ThrowIfCancellationRequested(); // an interrupted run commits nothing (the temporary is deleted)
        temp.CommitTo(full);
    }
}
