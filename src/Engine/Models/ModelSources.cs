using Alds.Engine.Layers;

namespace Alds.Engine.Models;

/// <summary>
/// Opens a model as the right <see cref="IModelSource"/>: a sharded checkpoint (an index <c>.json</c> or a
/// directory holding one), else a single file by its content.
/// </summary>
public static class ModelSources
{
    /// <summary>Opens <paramref name="path"/>; <paramref name="filter"/> (default: <see cref="LayerFilter"/>'s default,
    /// which excludes embeddings) chooses the compressible layers.</summary>
    /// <exception cref="ModelFormatException">The file is missing, unreadable or not a model this engine reads (one line).</exception>
    public static IModelSource Open(string path, LayerFilter? filter = null)
    {
        filter ??= LayerFilter.Default;
        if (ShardedSafetensorsModelSource.TryFindIndex(path, out var index))
            return new ShardedSafetensorsModelSource(index, filter);
        if (Directory.Exists(path))
            throw new ModelFormatException(
                $"{path}: is a directory without a {ShardedSafetensorsModelSource.DefaultIndexName}, not a model");
        if (!File.Exists(path))
            throw new ModelFormatException($"{path}: no such file");
        return IsSafetensors(path) ? OpenSafetensors(path, filter) : new OnnxModelSource(path, filter);
    }

    /// <summary>By extension, else by a header that starts with a plausible length followed by '{'.</summary>
    private static bool IsSafetensors(string path)
    {
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return true;
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> head = stackalloc byte[9];
            if (stream.ReadAtLeast(head, 9, throwOnEndOfStream: false) < 9) return false;
            return head[8] == (byte)'{' && BitConverter.ToUInt64(head) <= 100_000_000;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read: {e.Message}");
        }
    }

    private static IModelSource OpenSafetensors(string path, LayerFilter filter) => new SafetensorsModelSource(path, filter);
}
