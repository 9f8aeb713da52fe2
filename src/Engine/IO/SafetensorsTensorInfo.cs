using Alds.Engine.Tensors;

namespace Alds.Engine.IO;

/// <summary>
/// A tensor of a safetensors file: its entry and its byte range
/// <c>[Begin, End)</c>, relative to the start of the data section.
/// </summary>
internal sealed record SafetensorsTensorInfo(TensorEntry Entry, long Begin, long End)
{
    public string Name => Entry.Name;
    public DType DType => Entry.DType;
    public long[] Shape => Entry.Shape;

    /// <summary>Bytes the tensor occupies; may exceed <see cref="int.MaxValue"/>.</summary>
    public long ByteLength => End - Begin;
}
