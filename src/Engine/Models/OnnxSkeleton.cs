using System.Buffers;

namespace Alds.Engine.Models;

/// <summary>Where a run of tensor bytes lies in the model file.</summary>
internal readonly record struct RawDataRange(long Offset, int Length);

/// <summary>An initializer's payloads left in the file: <c>raw_data</c>, and the packed <c>float_data</c> of a FLOAT
/// or <c>double_data</c> of a DOUBLE tensor (their packed bytes are the little-endian values, as in raw_data).</summary>
internal readonly record struct TensorPayload(RawDataRange? Raw, RawDataRange? Packed)
{
    public bool IsEmpty => Raw is null && Packed is null;
}

/// <summary>
/// Splits a serialized ONNX <c>ModelProto</c> into a skeleton (the same message without the bulk data of the
/// graph's initializers: non-empty <c>raw_data</c>, and a FLOAT tensor's packed <c>float_data</c> or a DOUBLE
/// tensor's packed <c>double_data</c> when it occurs once) and the file ranges of those payloads, by walking the
/// protobuf wire format. Parsing the skeleton gives the same model as parsing the file, minus those bytes, which are then
/// read from the file only when a weight is needed: the weights are not copied at open, and a layer's bytes are
/// read by the thread that analyses it.
/// Only <c>ModelProto.graph</c> (7) → <c>GraphProto.initializer</c> (5) → <c>TensorProto</c> fields 9, 4 and 10 are
/// rewritten; every other byte is kept as it is, so protobuf's merge rules (a repeated <c>graph</c> field merges,
/// the last <c>raw_data</c> wins) apply to the skeleton as to the file.
/// </summary>
internal static class OnnxSkeleton
{
    private const int ModelGraph = 7, GraphInitializer = 5, TensorDataType = 2, TensorFloatData = 4, TensorRawData = 9, TensorDoubleData = 10;
    private const int OnnxFloat = 1, OnnxDouble = 11;
    private const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireFixed32 = 5;

    /// <summary>
    /// The skeleton and, for each initializer of the graph in order, its payloads left in the file; null when the bytes are not well-formed wire format (the caller then parses them whole,
    /// so that malformed files get the protobuf parser's own error).
    /// </summary>
    public static (byte[] Skeleton, List<TensorPayload> RawData)? Split(ReadOnlySpan<byte> model)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var ranges = new List<TensorPayload>();
        int pos = 0;
        while (pos < model.Length)
        {
            int start = pos;
            if (!TryField(model, ref pos, out int field, out int wire, out int contentStart)) return null;
            if (field == ModelGraph && wire == WireLengthDelimited)
            {
                var graph = Graph(model, contentStart, pos, ranges);
                if (graph is null) return null;
                WriteLengthDelimited(output, field, graph);
            }
            else output.Write(model[start..pos]);
        }
        return (output.WrittenSpan.ToArray(), ranges);
    }

    private static byte[]? Graph(ReadOnlySpan<byte> model, int begin, int end, List<TensorPayload> ranges)
    {
        var output = new ArrayBufferWriter<byte>(Math.Min(end - begin, 1 << 16) + 16);
        for (int pos = begin; pos < end;)
        {
            int start = pos;
            if (!TryField(model[..end], ref pos, out int field, out int wire, out int contentStart)) return null;
            if (field == GraphInitializer && wire == WireLengthDelimited)
            {
                var tensor = Tensor(model, contentStart, pos, out var payload);
                if (tensor is null) return null;
                ranges.Add(payload);
                WriteLengthDelimited(output, field, tensor);
            }
            else output.Write(model[start..pos]);
        }
        return output.WrittenSpan.ToArray();
    }

    private static byte[]? Tensor(ReadOnlySpan<byte> model, int begin, int end, out TensorPayload payload)
    {
        payload = default;
        // First pass: the element type (last one wins) and how often each typed field occurs (repeated fields
        // concatenate, so only a single packed occurrence can be left in the file as one run of bytes).
        ulong dataType = 0;
        int floatFields = 0, doubleFields = 0;
        for (int pos = begin; pos < end;)
        {
            if (!TryField(model[..end], ref pos, out int field, out int wire, out int contentStart)) return null;
            if (field == TensorDataType && wire == WireVarint)
            {
                int at = contentStart;
                TryVarint(model, ref at, out dataType);
            }
            else if (field == TensorFloatData) floatFields++;
            else if (field == TensorDoubleData) doubleFields++;
        }
        int packedField = dataType == OnnxFloat && floatFields == 1 ? TensorFloatData
            : dataType == OnnxDouble && doubleFields == 1 ? TensorDoubleData : 0;
        int elementSize = packedField == TensorFloatData ? 4 : 8;

        RawDataRange? raw = null, packed = null;
        var output = new ArrayBufferWriter<byte>(256);
        for (int pos = begin; pos < end;)
        {
            int start = pos;
            TryField(model[..end], ref pos, out int field, out int wire, out int contentStart);
            int length = pos - contentStart;
            if (field == TensorRawData && wire == WireLengthDelimited)
            {
                // The last occurrence wins, as in protobuf: an empty one stays in the skeleton and clears the range.
                raw = length > 0 ? new RawDataRange(contentStart, length) : null;
                if (raw is not null) continue;
            }
            else if (field == packedField && wire == WireLengthDelimited && length > 0)
            {
                if (length % elementSize != 0) return null; // a partial value: the parser's error
                packed = new RawDataRange(contentStart, length);
                continue;
            }
            output.Write(model[start..pos]);
        }
        payload = new TensorPayload(raw, packed);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads one field's key and skips its value; false on anything but well-formed varint, I64, LEN or I32 fields.</summary>
    private static bool TryField(ReadOnlySpan<byte> data, ref int pos, out int field, out int wire, out int contentStart)
    {
        field = wire = contentStart = 0;
        if (!TryVarint(data, ref pos, out ulong key) || key >> 3 is 0 or > int.MaxValue) return false;
        field = (int)(key >> 3);
        wire = (int)(key & 7);
        switch (wire)
        {
            case WireVarint:
                contentStart = pos;
                return TryVarint(data, ref pos, out _);
            case WireFixed64:
            case WireFixed32:
                contentStart = pos;
                int size = wire == WireFixed64 ? 8 : 4;
                if (data.Length - pos < size) return false;
                pos += size;
                return true;
            case WireLengthDelimited:
                if (!TryVarint(data, ref pos, out ulong length) || length > (ulong)(data.Length - pos)) return false;
                contentStart = pos;
                pos += (int)length;
                return true;
            default:
                return false; // groups (deprecated) and invalid wire types: left to the parser
        }
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) return false;
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    private static void WriteLengthDelimited(ArrayBufferWriter<byte> output, int field, ReadOnlySpan<byte> content)
    {
        WriteVarint(output, (ulong)field << 3 | WireLengthDelimited);
        WriteVarint(output, (ulong)content.Length);
        output.Write(content);
    }

    private static void WriteVarint(ArrayBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        int n = 0;
        for (; value >= 0x80; value >>= 7) span[n++] = (byte)(value | 0x80);
        span[n++] = (byte)value;
        output.Advance(n);
    }
}
