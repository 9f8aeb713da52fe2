using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Alds.Engine.IO;
using Alds.Engine.Layers;
using Alds.Engine.Tensors;

namespace Alds.Engine.Models;

/// <summary>
/// A checkpoint split the way Hugging Face writes it: <c>model-0000i-of-0000N.safetensors</c> files and
/// <c>model.safetensors.index.json</c> (<c>{"metadata": {...}, "weight_map": {tensor: file}}</c>). Opening
/// validates the index against the shards: every mapped file exists and is valid safetensors, every mapped
/// tensor is in its file, and every tensor of a file is mapped to that file (none in two shards). Tensors are
/// listed shard by shard (shards in ordinal file-name order), each shard in its own header order.
/// </summary>
public sealed class ShardedSafetensorsModelSource : IModelSource
{
    /// <summary>The index file name Hugging Face uses, looked for when MODEL is a directory.</summary>
    public const string DefaultIndexName = "model.safetensors.index.json";

    private readonly List<Shard> _shards = [];
    private readonly Dictionary<string, Shard> _byTensor = new(StringComparer.Ordinal);
    private readonly List<TensorEntry> _tensors = [];

    /// <summary>One shard: its file name as the index spells it (relative to the index) and the open file.</summary>
    internal sealed record Shard(string Name, SafetensorsFile File, IReadOnlyList<TensorEntry> Tensors);

    /// <summary>Opens and validates an index and its shards; any problem is one <see cref="ModelFormatException"/> line.</summary>
    internal ShardedSafetensorsModelSource(string indexPath, LayerFilter? filter = null)
    {
        Path = indexPath;
        var (metadata, map) = ReadIndex(indexPath);
        IndexMetadata = metadata;
        try
        {
            OpenShards(indexPath, map);
        }
        catch
        {
            Dispose();
            throw;
        }
        (Layers, Skipped, Config) = CheckpointLayers.Discover(indexPath, _tensors, filter ?? LayerFilter.Default);
    }

    /// <summary>The index file.</summary>
    public string Path { get; }

    /// <summary>The index's <c>metadata</c> object, each value as its JSON text (strings unquoted).</summary>
    internal IReadOnlyDictionary<string, string> IndexMetadata { get; }

    /// <summary>The shards in ordinal file-name order.</summary>
    internal IReadOnlyList<Shard> Shards => _shards;

    /// <inheritdoc />
    public IReadOnlyList<TensorEntry> Tensors => _tensors;
    /// <inheritdoc />
    public IReadOnlyList<LayerSpec> Layers { get; }
    /// <inheritdoc />
    public IReadOnlyList<SkippedTensor> Skipped { get; }

    /// <summary>The Hugging Face <c>config.json</c> beside the index, when there is one.</summary>
    public TransformerConfig? Config { get; }

    /// <summary>The shard that holds <paramref name="tensor"/>.</summary>
    internal Shard ShardOf(string tensor) =>
        _byTensor.TryGetValue(tensor, out var shard)
            ? shard
            : throw new ModelFormatException($"{Path}: tensor '{tensor}' is not in the weight map");

    /// <inheritdoc />
    public void ReadWeight(LayerSpec layer, Span<double> destination)
    {
        if (layer.Layout != WeightLayout.Canonical)
            throw new InvalidOperationException($"safetensors layer '{layer.Name}' must be canonical");
        ReadWeightUnmapped(ShardOf(layer.WeightTensor).File, layer, destination);
    }

    /// <inheritdoc />
    public bool TryReadWeight(LayerSpec layer, [NotNullWhen(true)] out float[]? weight)
    {
        weight = null;
        return layer.Layout == WeightLayout.Canonical && TryReadWeightUnmapped(ShardOf(layer.WeightTensor).File, layer, out weight);
    }

    /// <summary>As <see cref="ReadWeightUnmapped"/> into float32, when the stored dtype narrows exactly (F32, BF16, F16).</summary>
    internal static bool TryReadWeightUnmapped(SafetensorsFile file, LayerSpec layer, [NotNullWhen(true)] out float[]? weight)
    {
        weight = null;
        var info = file.Get(layer.WeightTensor);
        int count = checked((int)layer.Params);
        if (info.DType is not (DType.F32 or DType.BF16 or DType.F16) || info.ByteLength != (long)count * FloatCodec.ElementSize(info.DType))
            return false; // the float64 read checks and reports the problem
        weight = GC.AllocateUninitializedArray<float>(count);
        file.ReadFloat32Unmapped(layer.WeightTensor, weight);
        return true;
    }

    /// <summary>
    /// Reads a layer's weight with positional reads (through the page cache, not the mapping): pages touched
    /// through the mapping stay resident and count in this process's RSS, so reading every layer of a large
    /// model that way makes peak RSS grow with the model (measured: bench/README.md). Exact, like the mapped read.
    /// </summary>
    internal static void ReadWeightUnmapped(SafetensorsFile file, LayerSpec layer, Span<double> destination)
    {
        var info = file.Get(layer.WeightTensor);
        int count = checked((int)layer.Params);
        if (!info.DType.IsComputable() || info.ByteLength != (long)count * FloatCodec.ElementSize(info.DType))
        {
            file.ReadFloat64(layer.WeightTensor, destination[..count]); // the mapped read checks and reports the problem
            return;
        }
        file.ReadFloat64Unmapped(layer.WeightTensor, destination[..count]);
    }

    /// <inheritdoc />
    public void ReadFloat64(string tensor, Span<double> destination) => ShardOf(tensor).File.ReadFloat64(tensor, destination);

    /// <inheritdoc />
    public void CopyRawBytes(string tensor, Stream destination) => ShardOf(tensor).File.CopyTensorBytes(tensor, destination);

    /// <summary>Unmaps and closes every shard.</summary>
    public void Dispose()
    {
        foreach (var shard in _shards) shard.File.Dispose();
    }

    /// <summary>
    /// True when <paramref name="path"/> names a sharded checkpoint: a <c>.json</c> file, or a directory
    /// holding <see cref="DefaultIndexName"/> (or exactly one <c>*.safetensors.index.json</c>).
    /// </summary>
    public static bool TryFindIndex(string path, out string indexPath)
    {
        indexPath = path;
        if (File.Exists(path)) return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (!Directory.Exists(path)) return false;
        var preferred = System.IO.Path.Combine(path, DefaultIndexName);
        if (File.Exists(preferred)) { indexPath = preferred; return true; }
        var found = Directory.GetFiles(path, "*.safetensors.index.json");
        if (found.Length != 1) return false;
        indexPath = found[0];
        return true;
    }

    private void OpenShards(string indexPath, IReadOnlyList<(string tensor, string file)> map)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath)) ?? ".";
        var files = map.Select(m => m.file).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var byFile = new Dictionary<string, Shard>(StringComparer.Ordinal);
        foreach (var name in files)
        {
            var full = System.IO.Path.Combine(directory, name);
            if (!File.Exists(full))
                throw new ModelFormatException($"{indexPath}: shard '{name}' does not exist ({full})");
            var file = SafetensorsFile.Open(full);
            var shard = new Shard(name, file, file.Tensors);
            _shards.Add(shard);
            byFile[name] = shard;
        }
        foreach (var (tensor, file) in map)
        {
            if (!byFile[file].File.TryGet(tensor, out _))
                throw new ModelFormatException($"{byFile[file].File.Path}: tensor '{tensor}' is mapped to this shard by {indexPath} but is not in it");
            _byTensor[tensor] = byFile[file];
        }
        foreach (var shard in _shards)
            foreach (var t in shard.Tensors)
            {
                if (!_byTensor.TryGetValue(t.Name, out var owner))
                    throw new ModelFormatException($"{shard.File.Path}: tensor '{t.Name}' is not in the weight map of {indexPath}");
                if (!ReferenceEquals(owner, shard))
                    throw new ModelFormatException($"{shard.File.Path}: tensor '{t.Name}' is also in shard '{owner.Name}' (a tensor must be in one shard)");
                _tensors.Add(t);
            }
    }

    private static (IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string, string)> map) ReadIndex(string indexPath)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(indexPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{indexPath}: cannot read the index: {e.Message}");
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes); }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{indexPath}: the index is not valid JSON: {FirstLine(e.Message)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException($"{indexPath}: the index must be a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var meta))
            {
                if (meta.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    throw new ModelFormatException($"{indexPath}: \"metadata\" must be an object");
                if (meta.ValueKind == JsonValueKind.Object)
                    foreach (var p in meta.EnumerateObject())
                        metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            if (!root.TryGetProperty("weight_map", out var weightMap) || weightMap.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException($"{indexPath}: the index has no \"weight_map\" object");
            var map = new List<(string, string)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in weightMap.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new ModelFormatException($"{indexPath}: weight_map entry '{p.Name}' must be a file name string");
                if (!seen.Add(p.Name))
                    throw new ModelFormatException($"{indexPath}: tensor '{p.Name}' appears twice in the weight map");
                var file = p.Value.GetString()!;
                if (file.Length == 0 || System.IO.Path.IsPathRooted(file) || file.Split('/', '\\').Contains(".."))
                    throw new ModelFormatException($"{indexPath}: weight_map entry '{p.Name}': '{file}' must be a file name relative to the index");
                map.Add((p.Name, file));
            }
            if (map.Count == 0)
                throw new ModelFormatException($"{indexPath}: the weight map is empty");
            return (metadata, map);
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
