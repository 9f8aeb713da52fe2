using System.Diagnostics.CodeAnalysis;
using System.IO.MemoryMappedFiles;
using Alds.Engine.IO;
using Alds.Engine.Layers;
using Alds.Engine.Tensors;
using Google.Protobuf;
using Onnx;
using OnnxType = Onnx.TensorProto.Types.DataType;

namespace Alds.Engine.Models;

/// <summary>
/// An ONNX model opened for reading. <see cref="Tensors"/> are the graph's initializers that have an
/// element type the engine knows (others are listed in <see cref="Skipped"/> and cannot be read);
/// <see cref="Layers"/> are the Conv (group = 1), Gemm and MatMul nodes whose weight is an initializer
/// used by that node only. Data comes from <c>raw_data</c>, the typed fields, or external files next to
/// the model. Initializers' <c>raw_data</c> stays in the file until read (see <see cref="OnnxSkeleton"/>);
/// the whole protobuf (<see cref="Model"/>) is parsed on first use, for the graph rewriter.
/// Reads may run concurrently as long as nobody modifies <see cref="Model"/>.
/// </summary>
public sealed class OnnxModelSource : IModelSource
{
    private const int ChunkBytes = 1 << 20;

    private readonly Dictionary<string, Initializer> _initializers;
    private readonly string _directory;
    private readonly ModelProto _skeleton;
    private readonly Lazy<ModelProto> _model;

    /// <summary>Opens and validates <paramref name="path"/>; layers are filtered by <paramref name="filter"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, unreadable, not an ONNX model, or inconsistent.</exception>
    public OnnxModelSource(string path, LayerFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        (_skeleton, var rawData) = Parse(path);
        _model = rawData is null ? new Lazy<ModelProto>(_skeleton) : new Lazy<ModelProto>(() => ParseWhole(path));
        _directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        string fullPath = System.IO.Path.GetFullPath(path);

        var graph = _skeleton.Graph;
        _initializers = new Dictionary<string, Initializer>(StringComparer.Ordinal);
        var tensors = new List<TensorEntry>();
        var unsupported = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Initializer.Count; i++)
        {
            var proto = graph.Initializer[i];
            var init = Describe(proto, fullPath, rawData?[i] ?? default);
            if (!_initializers.TryAdd(proto.Name, init))
                throw Error($"initializer '{proto.Name}' is defined twice");
            if (init.Entry is null)
                unsupported[proto.Name] = $"unsupported element type {DataTypeName(proto.DataType)}";
            else
                tensors.Add(init.Entry);
        }
        Tensors = tensors;

        var filterToUse = filter ?? LayerFilter.Default;
        var found = OnnxLayerFinder.Find(graph, name => _initializers.GetValueOrDefault(name)?.Entry, filterToUse);
        Bindings = found.Bindings;
        Layers = found.Bindings.Select(b => b.Layer).ToArray();

        var skipped = new List<SkippedTensor>();
        foreach (var proto in graph.Initializer)
        {
            if (found.Claimed.Contains(proto.Name))
                continue;
            string reason = unsupported.GetValueOrDefault(proto.Name)
                ?? found.Reasons.GetValueOrDefault(proto.Name)
                ?? _initializers[proto.Name].Entry!.Shape.Length switch
                {
                    0 => "scalar",
                    1 => "1-D tensor (bias or norm)",
                    _ => "not used as a Conv/Gemm/MatMul weight",
                };
            skipped.Add(new SkippedTensor(proto.Name, reason));
        }
        foreach (var sparse in graph.SparseInitializer)
            skipped.Add(new SkippedTensor(sparse.Values?.Name ?? "", "sparse initializer (not supported)"));
        Skipped = skipped;

        OpsetVersion = _skeleton.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>The whole parsed model, weights included (parsed again on first use when the source was opened
    /// without its <c>raw_data</c>); the source's lists describe it as it was when opened.</summary>
    /// <exception cref="ModelFormatException">The file cannot be read again or no longer parses.</exception>
    public ModelProto Model => _model.Value;

    /// <summary>The model's ONNX IR version.</summary>
    internal long IrVersion => _skeleton.IrVersion;

    /// <summary>The opset version of the default (<c>ai.onnx</c>) domain; 0 when the model imports none.</summary>
    internal long OpsetVersion { get; }

    /// <inheritdoc />
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The compressible layers, in graph node order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <inheritdoc />
    public IReadOnlyList<SkippedTensor> Skipped { get; }

    /// <summary>The nodes behind each of <see cref="Layers"/>, in the same order.</summary>
    public IReadOnlyList<OnnxLayerBinding> Bindings { get; }

    /// <summary>Reads a layer's weight as float64 in canonical <c>[out, in, kh, kw]</c> order (transposing a stored <c>[in, out]</c>).</summary>
    public void ReadWeight(LayerSpec layer, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var entry = GetFloat(layer.WeightTensor).Entry!;
        long[] stored = layer.Layout == WeightLayout.Transposed ? [layer.In, layer.Out] : Array.ConvertAll(layer.Shape, d => (long)d);
        if (!entry.Shape.SequenceEqual(stored))
            throw new ArgumentException($"layer '{layer.Name}' does not match tensor '{entry.Name}' {entry.ShapeText}", nameof(layer));
        if (destination.Length != layer.Params)
            throw new ArgumentException($"destination holds {destination.Length} values, layer '{layer.Name}' has {layer.Params}", nameof(destination));

        if (layer.Layout == WeightLayout.Canonical)
        {
            ReadFloat64(layer.WeightTensor, destination);
            return;
        }
        var temp = new double[layer.Params];
        ReadFloat64(layer.WeightTensor, temp);
        int rows = layer.In, cols = layer.Out;
        for (int i = 0; i < rows; i++)
            for (int o = 0; o < cols; o++)
                destination[o * rows + i] = temp[i * cols + o];
    }

    /// <summary>
    /// Reads a layer's weight as float32 in canonical order when its initializer is F32/BF16/F16 raw data, in the model
    /// file or an external one (exact); false for typed fields or F64: read those with <see cref="ReadWeight"/>.
    /// </summary>
    public bool TryReadWeight(LayerSpec layer, [NotNullWhen(true)] out float[]? weight)
    {
        ArgumentNullException.ThrowIfNull(layer);
        weight = null;
        var init = GetFloat(layer.WeightTensor);
        var entry = init.Entry!;
        if (init.Storage == Storage.Typed || entry.DType is not (DType.F32 or DType.BF16 or DType.F16)) return false;
        long[] stored = layer.Layout == WeightLayout.Transposed ? [layer.In, layer.Out] : Array.ConvertAll(layer.Shape, d => (long)d);
        if (!entry.Shape.SequenceEqual(stored)) return false; // ReadWeight reports it
        var decoded = GC.AllocateUninitializedArray<float>(checked((int)layer.Params));
        if (init.Storage == Storage.Raw) FloatCodec.Decode(entry.DType, init.Proto.RawData.Span, decoded);
        else ReadExternal(init, decoded.AsSpan());
        if (layer.Layout == WeightLayout.Canonical)
        {
            weight = decoded;
            return true;
        }
        weight = GC.AllocateUninitializedArray<float>(decoded.Length);
        int rows = layer.In, cols = layer.Out;
        for (int i = 0; i < rows; i++)
            for (int o = 0; o < cols; o++)
                weight[o * rows + i] = decoded[i * cols + o];
        return true;
    }

    /// <summary>Reads a float initializer (F16/BF16/F32/F64) as float64, in stored order.</summary>
    /// <exception cref="ArgumentException">No such float initializer, or a destination of the wrong length.</exception>
    /// <exception cref="ModelFormatException">Its external data file cannot be read.</exception>
    public void ReadFloat64(string tensor, Span<double> destination)
    {
        var init = GetFloat(tensor);
        var entry = init.Entry!;
        if (destination.Length != entry.ElementCount)
            throw new ArgumentException($"destination holds {destination.Length} values, tensor '{tensor}' has {entry.ElementCount}", nameof(destination));

        var proto = init.Proto;
        switch (init.Storage)
        {
            case Storage.Raw:
                FloatCodec.Decode(entry.DType, proto.RawData.Span, destination);
                break;
            case Storage.External or Storage.Embedded:
                ReadExternal(init, destination);
                break;
            case Storage.Typed when entry.DType == DType.F32:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = proto.FloatData[i];
                break;
            case Storage.Typed when entry.DType == DType.F64:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = proto.DoubleData[i];
                break;
            case Storage.Typed when entry.DType == DType.F16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = (double)BitConverter.UInt16BitsToHalf((ushort)proto.Int32Data[i]);
                break;
            case Storage.Typed when entry.DType == DType.BF16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = FloatCodec.BFloat16ToSingle((ushort)proto.Int32Data[i]);
                break;
            default:
                throw new InvalidOperationException($"unexpected storage {init.Storage} for {entry.DType}");
        }
    }

    /// <summary>Writes an initializer's elements as little-endian bytes in the safetensors layout of its dtype.</summary>
    public void CopyRawBytes(string tensor, Stream destination)
    {
        if (!_initializers.TryGetValue(tensor, out var init) || init.Entry is null)
            throw new ArgumentException($"no readable initializer '{tensor}' in {Path}", nameof(tensor));
        var proto = init.Proto;
        var entry = init.Entry;
        switch (init.Storage)
        {
            case Storage.Raw:
                destination.Write(proto.RawData.Span);
                return;
            case Storage.External or Storage.Embedded:
                try
                {
                    using var stream = new FileStream(init.ExternalPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                    stream.Position = init.ExternalOffset;
                    var buffer = new byte[Math.Min((long)ChunkBytes, Math.Max(1, init.ByteLength))];
                    for (long left = init.ByteLength; left > 0;)
                    {
                        int n = (int)Math.Min(buffer.Length, left);
                        stream.ReadExactly(buffer, 0, n);
                        destination.Write(buffer, 0, n);
                        left -= n;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw Error($"initializer '{tensor}': cannot read {init.DataName} ({OneLine(ex.Message)})", ex);
                }
                return;
        }
        using var writer = new BinaryWriter(destination, System.Text.Encoding.UTF8, leaveOpen: true);
        switch (entry.DType)
        {
            case DType.F32: foreach (var v in proto.FloatData) writer.Write(v); break;
            case DType.F64: foreach (var v in proto.DoubleData) writer.Write(v); break;
            case DType.I64: foreach (var v in proto.Int64Data) writer.Write(v); break;
            case DType.U32: foreach (var v in proto.Uint64Data) writer.Write((uint)v); break;
            case DType.U64: foreach (var v in proto.Uint64Data) writer.Write(v); break;
            case DType.I32: foreach (var v in proto.Int32Data) writer.Write(v); break;
            case DType.I16 or DType.U16 or DType.F16 or DType.BF16: foreach (var v in proto.Int32Data) writer.Write((ushort)v); break;
            case DType.I8 or DType.U8 or DType.BOOL or DType.F8_E4M3 or DType.F8_E5M2 or DType.F8_E4M3FNUZ or DType.F8_E5M2FNUZ:
                foreach (var v in proto.Int32Data) writer.Write((byte)v); break;
            default:
                throw Error($"initializer '{tensor}': {entry.DType} stored in typed fields cannot be copied");
        }
    }

    /// <summary>Nothing to release: the model is held in memory and external files are opened per read.</summary>
    public void Dispose() { }

    private Initializer GetFloat(string tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_initializers.TryGetValue(tensor, out var init))
            throw new ArgumentException($"no initializer '{tensor}' in {Path}", nameof(tensor));
        if (init.Entry is null || !init.Entry.DType.IsComputable())
            throw new ArgumentException($"initializer '{tensor}' is {DataTypeName(init.Proto.DataType)}, not a float tensor", nameof(tensor));
        return init;
    }

    private void ReadExternal<TElement>(Initializer init, Span<TElement> destination) where TElement : unmanaged
    {
        var type = init.Entry!.DType;
        int size = type.Bits() / 8;
        int perChunk = ChunkBytes / size;
        var buffer = new byte[Math.Min((long)ChunkBytes, init.ByteLength)];
        try
        {
            using var stream = new FileStream(init.ExternalPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            stream.Position = init.ExternalOffset;
            for (int done = 0; done < destination.Length; done += perChunk)
            {
                int count = Math.Min(perChunk, destination.Length - done);
                var bytes = buffer.AsSpan(0, count * size);
                stream.ReadExactly(bytes);
                FloatCodec.Decode(type, bytes, destination.Slice(done, count));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Error($"initializer '{init.Proto.Name}': cannot read {init.DataName} ({OneLine(ex.Message)})", ex);
        }
    }

    /// <summary>The model without its initializers' raw_data, and where those lie in the file (null: the whole model,
    /// when the file is not plain wire format and the parser must judge it).</summary>
    private static (ModelProto Model, List<TensorPayload>? RawData) Parse(string path)
    {
        var (model, rawData) = Read(path, bytes => OnnxSkeleton.Split(bytes) is var (skeleton, ranges)
            ? (ModelProto.Parser.ParseFrom(skeleton), ranges)
            : (ModelProto.Parser.ParseFrom(bytes), (List<TensorPayload>?)null));
        return (Validated(path, model), rawData);
    }

    private static ModelProto ParseWhole(string path) => Validated(path, Read(path, ModelProto.Parser.ParseFrom));

    private static ModelProto Validated(string path, ModelProto model)
    {
        if (model.IrVersion <= 0)
            throw new ModelFormatException($"{path}: not an ONNX model (no ir_version)");
        if (model.Graph is null)
            throw new ModelFormatException($"{path}: ONNX model has no graph");
        return model;
    }

    private delegate T SpanParser<T>(ReadOnlySpan<byte> bytes);

    private static T Read<T>(string path, SpanParser<T> parse)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (stream.Length > int.MaxValue)
                throw new ModelFormatException($"{path}: larger than 2 GB, the protobuf limit (ONNX keeps such weights in external data)");
            if (stream.Length == 0)
                throw new ModelFormatException($"{path}: not an ONNX model (empty file)");
            return ReadMapped(stream, parse);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelFormatException($"{path}: not an ONNX model (protobuf: {OneLine(ex.Message)})", ex);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelFormatException($"{path}: file not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException($"{path}: cannot read file ({OneLine(ex.Message)})", ex);
        }
    }

    // From one contiguous span the parser copies each field once, straight from the page cache; from a Stream it
    // reads large fields in 4 KiB chunks and concatenates them. The mapping is released before the model is used.
    private static unsafe T ReadMapped<T>(FileStream stream, SpanParser<T> parse)
    {
        using var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try { return parse(new ReadOnlySpan<byte>(pointer + view.PointerOffset, (int)stream.Length)); }
        finally { view.SafeMemoryMappedViewHandle.ReleasePointer(); }
    }

    private Initializer Describe(TensorProto proto, string file, TensorPayload inFile)
    {
        string name = proto.Name;
        if (string.IsNullOrEmpty(name))
            throw Error("an initializer has no name");
        var shape = proto.Dims.ToArray();
        if (shape.Any(d => d < 0))
            throw Error($"initializer '{name}' has a negative dimension [{string.Join(", ", shape)}]");
        long count;
        try { count = shape.Aggregate(1L, (a, d) => checked(a * d)); }
        catch (OverflowException) { throw Error($"initializer '{name}' has too many elements [{string.Join(", ", shape)}]"); }

        var dtype = MapDataType(proto.DataType);
        if (dtype is null)
            return new Initializer(proto, null, Storage.Typed);
        var entry = new TensorEntry(name, dtype.Value, shape);
        int bits = dtype.Value.Bits();
        if (count > (long.MaxValue - 7) / bits)
            throw Error($"initializer '{name}' has too many elements for 64-bit byte counts ({dtype} {entry.ShapeText})");
        long bytes = (count * bits + 7) / 8;

        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
            return DescribeExternal(proto, entry, bytes);
        if (inFile.Raw is { } range)
        {
            if (range.Length != bytes)
                throw Error($"initializer '{name}': raw_data has {range.Length} bytes, {dtype} {entry.ShapeText} needs {bytes}");
            return new Initializer(proto, entry, Storage.Embedded) { ByteLength = bytes, ExternalPath = file, ExternalOffset = range.Offset };
        }
        if (!proto.RawData.IsEmpty)
        {
            if (proto.RawData.Length != bytes)
                throw Error($"initializer '{name}': raw_data has {proto.RawData.Length} bytes, {dtype} {entry.ShapeText} needs {bytes}");
            return new Initializer(proto, entry, Storage.Raw) { ByteLength = bytes };
        }
        long typed = TypedCount(proto, dtype.Value) + (inFile.Packed?.Length ?? 0) / (dtype == DType.F64 ? 8 : 4);
        long expected = dtype.Value switch
        {
            DType.C64 => checked(2 * count),
            DType.F4 => (count + 1) / 2,
            _ => count,
        };
        if (typed != expected)
            throw Error($"initializer '{name}': {TypedFieldName(dtype.Value)} holds {typed} values, {dtype} {entry.ShapeText} needs {expected}");
        // A single packed float_data / double_data has exactly the little-endian bytes of raw_data.
        if (inFile.Packed is { } packed)
            return new Initializer(proto, entry, Storage.Embedded) { ByteLength = bytes, ExternalPath = file, ExternalOffset = packed.Offset };
        return new Initializer(proto, entry, Storage.Typed) { ByteLength = bytes };
    }

    private Initializer DescribeExternal(TensorProto proto, TensorEntry entry, long bytes)
    {
        string name = proto.Name;
        string? location = null;
        long offset = 0, length = -1;
        foreach (var kv in proto.ExternalData)
        {
            switch (kv.Key)
            {
                case "location": location = kv.Value; break;
                case "offset": offset = ParseNonNegative(name, kv.Key, kv.Value); break;
                case "length": length = ParseNonNegative(name, kv.Key, kv.Value); break;
            }
        }
        if (string.IsNullOrEmpty(location))
            throw Error($"initializer '{name}': external data without a location");
        if (length >= 0 && length != bytes)
            throw Error($"initializer '{name}': external data length {length}, {entry.DType} {entry.ShapeText} needs {bytes}");

        string full;
        try { full = System.IO.Path.GetFullPath(System.IO.Path.Combine(_directory, location)); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Error($"initializer '{name}': external data location '{location.Replace("\0", "\\0")}' is not a valid path ({OneLine(ex.Message)})", ex);
        }
        string root = System.IO.Path.EndsInDirectorySeparator(_directory) ? _directory : _directory + System.IO.Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw Error($"initializer '{name}': external data location '{location}' is outside the model's directory");
        var file = new FileInfo(full);
        if (!file.Exists)
            throw Error($"initializer '{name}': external data file '{location}' not found");
        if (file.Length - offset < bytes)
            throw Error($"initializer '{name}': external data file '{location}' is too short ({file.Length} bytes; needs {bytes} at offset {offset})");
        return new Initializer(proto, entry, Storage.External) { ByteLength = bytes, ExternalPath = full, ExternalOffset = offset };
    }

    private long ParseNonNegative(string tensor, string key, string value) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v)
            ? v
            : throw Error($"initializer '{tensor}': external data {key} '{value}' is not a non-negative integer");

    private static long TypedCount(TensorProto p, DType type) => type switch
    {
        DType.F32 or DType.C64 => p.FloatData.Count,
        DType.F64 => p.DoubleData.Count,
        DType.I64 => p.Int64Data.Count,
        DType.U32 or DType.U64 => p.Uint64Data.Count,
        _ => p.Int32Data.Count,
    };

    private static string TypedFieldName(DType type) => type switch
    {
        DType.F32 or DType.C64 => "float_data",
        DType.F64 => "double_data",
        DType.I64 => "int64_data",
        DType.U32 or DType.U64 => "uint64_data",
        _ => "int32_data",
    };

    /// <summary>The engine's element type for an ONNX <c>TensorProto.DataType</c>, or null when it has none.</summary>
    internal static DType? MapDataType(int onnxDataType) => (OnnxType)onnxDataType switch
    {
        OnnxType.Float => DType.F32,
        OnnxType.Double => DType.F64,
        OnnxType.Float16 => DType.F16,
        OnnxType.Bfloat16 => DType.BF16,
        OnnxType.Int64 => DType.I64,
        OnnxType.Int32 => DType.I32,
        OnnxType.Int16 => DType.I16,
        OnnxType.Int8 => DType.I8,
        OnnxType.Uint64 => DType.U64,
        OnnxType.Uint32 => DType.U32,
        OnnxType.Uint16 => DType.U16,
        OnnxType.Uint8 => DType.U8,
        OnnxType.Bool => DType.BOOL,
        OnnxType.Complex64 => DType.C64,
        OnnxType.Float8E4M3Fn => DType.F8_E4M3,
        OnnxType.Float8E4M3Fnuz => DType.F8_E4M3FNUZ,
        OnnxType.Float8E5M2 => DType.F8_E5M2,
        OnnxType.Float8E5M2Fnuz => DType.F8_E5M2FNUZ,
        OnnxType.Float4E2M1 => DType.F4,
        _ => null,
    };

    private static string DataTypeName(int onnxDataType) =>
        Enum.IsDefined((OnnxType)onnxDataType) ? ((OnnxType)onnxDataType).ToString().ToUpperInvariant() : $"data type {onnxDataType}";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    // One line whatever the names in the model hold.
    private ModelFormatException Error(string what, Exception? inner = null) => new($"{Path}: {what}".ReplaceLineEndings(" "), inner);

    // Embedded: raw_data or packed float_data/double_data left in the model file (read like external data, from ExternalPath at ExternalOffset).
    private enum Storage { Raw, Typed, External, Embedded }

    private sealed record Initializer(TensorProto Proto, TensorEntry? Entry, Storage Storage)
    {
        public long ByteLength { get; init; }
        public string? ExternalPath { get; init; }
        public long ExternalOffset { get; init; }

        public string DataName => Storage == Storage.Embedded ? $"tensor data in '{ExternalPath}'" : $"external data '{ExternalPath}'";
    }
}
