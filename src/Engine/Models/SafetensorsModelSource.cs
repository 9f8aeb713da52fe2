using System.Diagnostics.CodeAnalysis;
using Alds.Engine.IO;
using Alds.Engine.Layers;
using Alds.Engine.Tensors;

namespace Alds.Engine.Models;

/// <summary>
/// A safetensors file as a model: tensors from the header, layers found by <see cref="LayerDiscovery"/>
/// (which cannot tell depthwise or grouped convolutions from plain ones: exclude those with a pattern).
/// </summary>
public sealed class SafetensorsModelSource : IModelSource
{
    internal SafetensorsModelSource(string path, LayerFilter? filter = null)
    {
        File = SafetensorsFile.Open(path);
        Path = path;
        (Layers, Skipped, Config) = CheckpointLayers.Discover(path, File.Tensors, filter ?? LayerFilter.Default);
    }

    /// <summary>The memory-mapped file.</summary>
    internal SafetensorsFile File { get; }
    /// <inheritdoc />
    public string Path { get; }
    /// <inheritdoc />
    public IReadOnlyList<TensorEntry> Tensors => File.Tensors;
    /// <inheritdoc />
    public IReadOnlyList<LayerSpec> Layers { get; }
    /// <inheritdoc />
    public IReadOnlyList<SkippedTensor> Skipped { get; }

    /// <summary>The Hugging Face <c>config.json</c> beside the file, when there is one.</summary>
    public TransformerConfig? Config { get; }

    /// <inheritdoc />
    public void ReadWeight(LayerSpec layer, Span<double> destination)
    {
        if (layer.Layout != WeightLayout.Canonical)
            throw new InvalidOperationException($"safetensors layer '{layer.Name}' must be canonical");
        ShardedSafetensorsModelSource.ReadWeightUnmapped(File, layer, destination);
    }

    /// <inheritdoc />
    public bool TryReadWeight(LayerSpec layer, [NotNullWhen(true)] out float[]? weight)
    {
        weight = null;
        return layer.Layout == WeightLayout.Canonical && ShardedSafetensorsModelSource.TryReadWeightUnmapped(File, layer, out weight);
    }

    /// <inheritdoc />
    public void ReadFloat64(string tensor, Span<double> destination) => File.ReadFloat64(tensor, destination);

    /// <inheritdoc />
    public void CopyRawBytes(string tensor, Stream destination) => File.CopyTensorBytes(tensor, destination);

    /// <summary>Unmaps and closes the file.</summary>
    public void Dispose() => File.Dispose();
}
