using System.Diagnostics.CodeAnalysis;
using Alds.Engine.Layers;
using Alds.Engine.Tensors;

namespace Alds.Engine.Models;

/// <summary>
/// A model file opened for reading: its tensors, the compressible layers found in it,
/// and access to their weights in canonical layout. Implementations never modify the file, and reads may run
/// on several threads at once (the factoriser overlaps layers).
/// </summary>
public interface IModelSource : IDisposable
{
    /// <summary>The path the model was opened from.</summary>
    string Path { get; }
    /// <summary>Every tensor of the model, compressible or not, in file order.</summary>
    IReadOnlyList<TensorEntry> Tensors { get; }
    /// <summary>The compressible layers the filter kept.</summary>
    IReadOnlyList<LayerSpec> Layers { get; }
    /// <summary>The tensors that are not compressible layers, each with the reason.</summary>
    IReadOnlyList<SkippedTensor> Skipped { get; }

    /// <summary>Reads a layer's weight as float64 in canonical <c>[out, in, kh, kw]</c> row-major order.</summary>
    void ReadWeight(LayerSpec layer, Span<double> destination);

    /// <summary>
    /// Reads a layer's weight as float32 in canonical order when that is exact (stored as F32, BF16 or F16) and this
    /// source can do it without a float64 copy; false otherwise (then read it with <see cref="ReadWeight"/>). Half the
    /// memory of the float64 copy: what bounds the factorisation of a large layer.
    /// </summary>
    bool TryReadWeight(LayerSpec layer, [NotNullWhen(true)] out float[]? weight)
    {
        weight = null;
        return false;
    }

    /// <summary>Reads any float tensor (F16/BF16/F32/F64) as float64, in stored order.</summary>
    void ReadFloat64(string tensor, Span<double> destination);

    /// <summary>Writes a tensor's elements as little-endian bytes in the safetensors layout of its dtype.</summary>
    void CopyRawBytes(string tensor, Stream destination);
}
