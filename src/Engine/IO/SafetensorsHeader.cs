using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Alds.Engine.Tensors;

namespace Alds.Engine.IO;

/// <summary>
/// A validated safetensors header. <see cref="Parse"/> enforces every rule of the format
/// (see <c>SAFETENSORS.md</c>) in the reference implementation's order, plus a ban on duplicate keys.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header length the format allows, in bytes.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int LengthPrefix = 8;
    private const string MetadataKey = "__metadata__";

    private static readonly JsonReaderOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 128, // serde_json's recursion limit
    };

    private SafetensorsHeader(long headerLength, SafetensorsTensorInfo[] tensors, Dictionary<string, string> metadata)
    {
        HeaderLength = headerLength;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>N: the length of the JSON header in bytes (padding included).</summary>
    public long HeaderLength { get; }

    /// <summary>Absolute file offset of the data section: <c>8 + N</c>.</summary>
    public long DataStart => LengthPrefix + HeaderLength;

    /// <summary>The tensors in data order (by offsets; ties keep header order).</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map; empty when absent or null.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Parses and validates a header. <paramref name="prefix"/> is the start of the file and must hold at
    /// least <c>min(fileLength, 8 + N)</c> bytes (the whole file will do); <paramref name="path"/> only
    /// names the file in messages. Throws <see cref="SafetensorsException"/> for any rule broken.
    /// </summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> prefix, long fileLength, string path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileLength);
        if (fileLength < LengthPrefix)
            throw Fail(SafetensorsErrorKind.HeaderTooSmall, path, null,
                $"file is {fileLength} bytes, shorter than the 8-byte header length");
        if (prefix.Length < LengthPrefix)
            throw new ArgumentException("The prefix must hold the 8-byte header length.", nameof(prefix));

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderLength)
            throw Fail(SafetensorsErrorKind.HeaderTooLarge, path, null,
                $"header length {n} exceeds the limit of {MaxHeaderLength} bytes");
        long stop = checked(LengthPrefix + (long)n);
        if (stop > fileLength)
            throw Fail(SafetensorsErrorKind.InvalidHeaderLength, path, null,
                $"header length {n} runs past the end of the file ({fileLength} bytes)");
        if (prefix.Length < stop)
            throw new ArgumentException("The prefix must hold the whole header.", nameof(prefix));

        var json = prefix.Slice(LengthPrefix, (int)n);
        if (!Utf8.IsValid(json))
            throw Fail(SafetensorsErrorKind.InvalidHeader, path, null,
                $"header is not valid UTF-8 (bad byte at header offset {FirstInvalidUtf8(json)})");

        var (raw, metadata) = ParseJson(json, path);
        var tensors = Validate(raw, n, fileLength, path);
        return new SafetensorsHeader((long)n, tensors, metadata);
    }

    private readonly record struct RawTensor(string Name, DType DType, ulong[] Shape, ulong Begin, ulong End);

    private static (List<RawTensor>, Dictionary<string, string>) ParseJson(ReadOnlySpan<byte> json, string path)
    {
        var tensors = new List<RawTensor>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        try
        {
            var reader = new Utf8JsonReader(json, JsonOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Shape(path, null, $"header is a JSON {Describe(reader.TokenType)}, not an object");
            while (true)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndObject)
                    break;
                current = null;
                string key = reader.GetString()!;
                if (!keys.Add(key))
                    throw key == MetadataKey
                        ? Fail(SafetensorsErrorKind.DuplicateKey, path, null, $"key '{MetadataKey}' appears more than once in the header")
                        : Fail(SafetensorsErrorKind.DuplicateKey, path, key, "name appears more than once in the header");
                current = key == MetadataKey ? null : key;
                reader.Read();
                if (key == MetadataKey)
                    ParseMetadata(ref reader, metadata, path);
                else
                    tensors.Add(ParseTensor(ref reader, key, path));
            }
            if (reader.Read())
                throw Shape(path, null, "unexpected content after the header object");
        }
        catch (JsonException e)
        {
            throw Shape(path, current, $"header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on a string with an unpaired surrogate escape, such as "\ud800".
            throw Shape(path, current, $"header holds an invalid JSON string: {e.Message}", e);
        }
        return (tensors, metadata);
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return; // serde reads the Option<HashMap> as None, as the reference does
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Shape(path, null, $"{MetadataKey} is a JSON {Describe(reader.TokenType)}, not an object of strings");
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
                return;
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw Shape(path, null, $"{MetadataKey} value of '{key}' is a JSON {Describe(reader.TokenType)}, not a string");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw Fail(SafetensorsErrorKind.DuplicateKey, path, null,
                    $"{MetadataKey} key '{key}' appears more than once");
        }
    }

    private static RawTensor ParseTensor(ref Utf8JsonReader reader, string name, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Shape(path, name, $"entry is a JSON {Describe(reader.TokenType)}, not an object");
        DType? dtype = null;
        ulong[]? shape = null;
        ulong[]? offsets = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            string field = reader.GetString()!;
            if (!fields.Add(field))
                throw Fail(SafetensorsErrorKind.DuplicateKey, path, name, $"field '{field}' appears more than once");
            reader.Read();
            switch (field)
            {
                case "dtype":
                    if (reader.TokenType != JsonTokenType.String)
                        throw Shape(path, name, $"dtype is a JSON {Describe(reader.TokenType)}, not a string");
                    string text = reader.GetString()!;
                    if (!DTypes.TryParse(text, out var parsed))
                        throw Shape(path, name, $"unknown dtype '{text}'");
                    dtype = parsed;
                    break;
                case "shape":
                    shape = ReadUIntArray(ref reader, name, "shape", path);
                    break;
                case "data_offsets":
                    offsets = ReadUIntArray(ref reader, name, "data_offsets", path);
                    if (offsets.Length != 2)
                        throw Shape(path, name, $"data_offsets has {offsets.Length} values, not 2");
                    break;
                default:
                    reader.Skip(); // the reference ignores extra fields
                    break;
            }
        }
        if (dtype is null) throw Shape(path, name, "missing field 'dtype'");
        if (shape is null) throw Shape(path, name, "missing field 'shape'");
        if (offsets is null) throw Shape(path, name, "missing field 'data_offsets'");
        return new RawTensor(name, dtype.Value, shape, offsets[0], offsets[1]);
    }

    private static ulong[] ReadUIntArray(ref Utf8JsonReader reader, string name, string field, string path)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Shape(path, name, $"{field} is a JSON {Describe(reader.TokenType)}, not an array");
        var values = new List<ulong>();
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndArray)
                return values.ToArray();
            if (reader.TokenType != JsonTokenType.Number)
                throw Shape(path, name, $"{field} holds a JSON {Describe(reader.TokenType)}, not a non-negative integer");
            var digits = reader.ValueSpan;
            // Only plain digit runs: serde refuses 1.0, 1e3 and negatives for usize.
            foreach (byte b in digits)
                if (b is < (byte)'0' or > (byte)'9')
                    throw Shape(path, name, $"{field} holds {Encoding.UTF8.GetString(digits)}, not a non-negative integer");
            if (!Utf8Parser.TryParse(digits, out ulong value, out int consumed) || consumed != digits.Length)
                throw Shape(path, name, $"{field} holds {Encoding.UTF8.GetString(digits)}, larger than 2^64 - 1");
            values.Add(value);
        }
    }

    private static SafetensorsTensorInfo[] Validate(List<RawTensor> raw, ulong n, long fileLength, string path)
    {
        // A stable sort by (begin, end), as the reference sorts before validating.
        var sorted = raw.OrderBy(t => t.Begin).ThenBy(t => t.End).ToArray();
        ulong start = 0;
        foreach (var t in sorted)
        {
            if (t.Begin != start)
                throw Fail(SafetensorsErrorKind.InvalidOffset, path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] do not follow the previous tensor (expected begin {start})");
            if (t.End < t.Begin)
                throw Fail(SafetensorsErrorKind.InvalidOffset, path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] end before they begin");
            start = t.End;

            string shapeText = "[" + string.Join(", ", t.Shape) + "]";
            ulong elements = 1;
            foreach (ulong d in t.Shape)
                if (!TryMultiply(elements, d, out elements))
                    throw Fail(SafetensorsErrorKind.ValidationOverflow, path, t.Name,
                        $"element count of shape {shapeText} overflows 64 bits");
            int bitsPer = t.DType.Bits();
            if (!TryMultiply(elements, (ulong)bitsPer, out ulong bits))
                throw Fail(SafetensorsErrorKind.ValidationOverflow, path, t.Name,
                    $"bit count of {t.DType} {shapeText} overflows 64 bits");
            if (bits % 8 != 0)
                throw Fail(SafetensorsErrorKind.MisalignedSlice, path, t.Name,
                    $"{t.DType} {shapeText} holds {bits} bits, not a whole number of bytes");
            ulong bytes = bits / 8;
            if (t.End - t.Begin != bytes)
                throw Fail(SafetensorsErrorKind.TensorInvalidInfo, path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] span {t.End - t.Begin} bytes but {t.DType} {shapeText} needs {bytes}");
            foreach (ulong d in t.Shape)
                if (d > long.MaxValue)
                    throw Fail(SafetensorsErrorKind.ValidationOverflow, path, t.Name,
                        $"dimension {d} of shape {shapeText} exceeds 2^63 - 1");
        }

        ulong expected = start + LengthPrefix + n;
        if (expected < start || expected != (ulong)fileLength)
        {
            string detail = expected >= start && expected < (ulong)fileLength
                ? $"{(ulong)fileLength - expected} trailing bytes after the last tensor (data ends at {expected}, file has {fileLength} bytes)"
                : $"tensors need data up to byte {(expected < start ? "beyond 2^64" : expected.ToString())} but the file has {fileLength} bytes";
            throw Fail(SafetensorsErrorKind.MetadataIncompleteBuffer, path, null, detail);
        }

        return sorted
            .Select(t => new SafetensorsTensorInfo(
                new TensorEntry(t.Name, t.DType, Array.ConvertAll(t.Shape, d => (long)d)), (long)t.Begin, (long)t.End))
            .ToArray();
    }

    private static bool TryMultiply(ulong a, ulong b, out ulong product)
    {
        ulong high = Math.BigMul(a, b, out product);
        return high == 0;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
                return offset;
            offset += consumed;
        }
        return offset;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static SafetensorsException Shape(string path, string? tensor, string detail, Exception? inner = null) =>
        new(SafetensorsErrorKind.InvalidHeaderDeserialization, path, tensor, detail, inner);

    private static SafetensorsException Fail(SafetensorsErrorKind kind, string path, string? tensor, string detail) =>
        new(kind, path, tensor, detail);
}
