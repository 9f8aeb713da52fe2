using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Alds.Engine.Tensors;

namespace Alds.Engine.IO;

/// <summary>
/// Writes a safetensors file by streaming: tensors are declared first (name, dtype, shape and a
/// callback that writes exactly their bytes), then <see cref="WriteTo(string)"/> lays them out
/// (dtype alignment descending, then name, ordinal), writes the header padded with spaces to a
/// multiple of 8, and streams each tensor's bytes. The output goes to a hidden temporary file in
/// the target's directory and is renamed over the target only when complete and flushed; on any
/// failure the temporary is deleted and the target is left as it was. The output is a function of
/// the declared tensors and metadata only (no dates, paths or thread-dependent order).
/// </summary>
public sealed class SafetensorsWriter
{
    private const string MetadataKey = "__metadata__";
    private const int ChunkElements = 1 << 16;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<Pending> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>The header size limit; lowered only by tests, to reach the limit cheaply.</summary>
    internal long HeaderLimit { get; init; } = SafetensorsHeader.MaxHeaderLength;

    private sealed record Pending(TensorEntry Entry, long ByteLength, Action<Stream> Write);

    /// <summary>Creates a writer with an optional initial <c>__metadata__</c> map.</summary>
    internal SafetensorsWriter(IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                SetMetadata(key, value);
    }

    /// <summary>Sets one <c>__metadata__</c> entry (written in ordinal key order).</summary>
    internal void SetMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckText(key, nameof(key));
        CheckText(value, nameof(value));
        _metadata[key] = value;
    }

    /// <summary>
    /// Declares a tensor whose bytes <paramref name="writeBytes"/> writes to the stream it is given:
    /// exactly elements × bits / 8 bytes, little-endian, row-major (more or fewer is an error).
    /// </summary>
    internal void Add(string name, DType dtype, IReadOnlyList<long> shape, Action<Stream> writeBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(writeBytes);
        if (name == MetadataKey)
            throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(name));
        CheckText(name, nameof(name));
        if (!Enum.IsDefined(dtype))
            throw new ArgumentOutOfRangeException(nameof(dtype));
        var dims = shape.ToArray();
        ulong elements = 1;
        foreach (long d in dims)
        {
            if (d < 0)
                throw new ArgumentException($"Tensor '{name}': dimension {d} is negative.", nameof(shape));
            if (Math.BigMul(elements, (ulong)d, out elements) != 0)
                throw new ArgumentException($"Tensor '{name}': element count overflows.", nameof(shape));
        }
        if (Math.BigMul(elements, (ulong)dtype.Bits(), out ulong bits) != 0 || bits / 8 > long.MaxValue)
            throw new ArgumentException($"Tensor '{name}': byte count overflows.", nameof(shape));
        if (bits % 8 != 0)
            throw new ArgumentException(
                $"Tensor '{name}': {elements} elements of {dtype} are {bits} bits, not a whole number of bytes.", nameof(shape));
        if (!_names.Add(name))
            throw new ArgumentException($"Tensor '{name}' is declared twice.", nameof(name));
        _tensors.Add(new Pending(new TensorEntry(name, dtype, dims), (long)(bits / 8), writeBytes));
    }

    /// <summary>Declares a tensor from its raw little-endian bytes (kept by reference until written).</summary>
    internal void Add(string name, DType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> bytes) =>
        Add(name, dtype, shape, s => s.Write(bytes.Span));

    /// <summary>
    /// Declares an F16/BF16/F32/F64 tensor from float64 values, encoded while writing with
    /// round-to-nearest-even (see <see cref="FloatCodec"/>).
    /// </summary>
    internal void AddFloat64(string name, DType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<double> values) =>
        AddEncoded(name, dtype, shape, values.Length, (i, n, bytes) => FloatCodec.Encode(dtype, values.Span.Slice(i, n), bytes));

    /// <summary>Declares an F16/BF16/F32/F64 tensor from float32 values (round-to-nearest-even where narrowing).</summary>
    internal void AddFloat32(string name, DType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<float> values) =>
        AddEncoded(name, dtype, shape, values.Length, (i, n, bytes) => FloatCodec.Encode(dtype, values.Span.Slice(i, n), bytes));

    private delegate void EncodeChunk(int start, int count, Span<byte> destination);

    /// <summary>Encodes <paramref name="length"/> values chunk by chunk while writing (bounded memory).</summary>
    private void AddEncoded(string name, DType dtype, IReadOnlyList<long> shape, int length, EncodeChunk encode)
    {
        int size = FloatCodec.ElementSize(dtype);
        Add(name, dtype, shape, s =>
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkElements * size);
            try
            {
                for (int i = 0; i < length; i += ChunkElements)
                {
                    int n = Math.Min(ChunkElements, length - i);
                    encode(i, n, buffer.AsSpan(0, n * size));
                    s.Write(buffer, 0, n * size);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
    }

    /// <summary>The tensors in the order they will be written, with their data offsets.</summary>
    internal IReadOnlyList<SafetensorsTensorInfo> Layout()
    {
        var ordered = _tensors
            .OrderByDescending(t => t.Entry.DType.Alignment())
            .ThenBy(t => t.Entry.Name, StringComparer.Ordinal)
            .ToArray();
        var layout = new SafetensorsTensorInfo[ordered.Length];
        long offset = 0;
        for (int i = 0; i < ordered.Length; i++)
        {
            long end = checked(offset + ordered[i].ByteLength);
            layout[i] = new SafetensorsTensorInfo(ordered[i].Entry, offset, end);
            offset = end;
        }
        return layout;
    }

    /// <summary>
    /// The 8-byte length followed by the JSON header, padded with spaces so that its length N is
    /// a multiple of 8 (the data then starts 8-aligned). Fails when N would exceed 100,000,000.
    /// </summary>
    internal byte[] BuildHeader() => BuildHeader(Layout());

    /// <summary>Writes the file atomically (temporary sibling, flush, rename).</summary>
    internal void WriteTo(string path) => WriteTo(path, []);

    /// <summary>
    /// Writes the file atomically, first refusing an output that is one of <paramref name="inputPaths"/>
    /// (see <see cref="EnsureNotSameFile"/>).
    /// </summary>
    internal void WriteTo(string path, IEnumerable<string> inputPaths, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputPaths);
        foreach (string input in inputPaths)
            EnsureNotSameFile(input, path);
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new IOException($"{path}: is a directory, not a file path");
        // Registered so that an interruption (Ctrl-C, SIGTERM) can remove it; deleted unless committed.
        using var temp = Runtime.TemporaryFiles.CreateSibling(full);
        using (var stream = new FileStream(temp.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
        {
            WriteTo(stream, cancel);
            stream.Flush(flushToDisk: true);
        }
        cancel.ThrowIfCancellationRequested(); // an interrupted run commits nothing (the temporary is deleted)
        temp.CommitTo(full); // rename(2): readers of the old file keep their mapping
    }

    /// <summary>Writes the whole file to a stream (not atomic; <see cref="WriteTo(string)"/> is).</summary>
    internal void WriteTo(Stream destination) => WriteTo(destination, CancellationToken.None);

    /// <summary>As <see cref="WriteTo(Stream)"/>, checking <paramref name="cancel"/> before each tensor.</summary>
    internal void WriteTo(Stream destination, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var layout = Layout();
        destination.Write(BuildHeader(layout));
        var writers = _tensors.ToDictionary(t => t.Entry.Name, t => t.Write, StringComparer.Ordinal);
        foreach (var tensor in layout)
        {
            cancel.ThrowIfCancellationRequested();
            using var counted = new ExactLengthStream(destination, tensor.ByteLength, tensor.Name);
            writers[tensor.Name](counted);
            counted.Complete();
        }
        destination.Flush();
    }

    /// <summary>
    /// Refuses to write <paramref name="output"/> when it is the same file as <paramref name="input"/>
    /// (same full path after resolving symbolic links). Throws <see cref="OutputIsInputException"/>.
    /// </summary>
    public static void EnsureNotSameFile(string input, string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        if (string.Equals(Resolve(input), Resolve(output), comparison))
            throw new OutputIsInputException($"{output}: the output would overwrite the input '{input}'; choose another output path");
    }

    private static string Resolve(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full; // a broken or cyclic link: compare the path itself
        }
    }

    private byte[] BuildHeader(IReadOnlyList<SafetensorsTensorInfo> layout)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions
               {
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                   Indented = false,
                   SkipValidation = false,
               }))
        {
            writer.WriteStartObject();
            if (_metadata.Count > 0)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var key in _metadata.Keys.Order(StringComparer.Ordinal))
                    writer.WriteString(key, _metadata[key]);
                writer.WriteEndObject();
            }
            foreach (var t in layout)
            {
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.DType.ToString());
                writer.WriteStartArray("shape");
                foreach (long d in t.Shape)
                    writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(t.Begin);
                writer.WriteNumberValue(t.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }

        long n = (json.WrittenCount + 7) / 8 * 8;
        if (n > HeaderLimit)
            throw new InvalidOperationException($"The safetensors header would be {n} bytes, over the limit of {HeaderLimit}.");
        var header = new byte[8 + n];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)n);
        json.WrittenSpan.CopyTo(header.AsSpan(8));
        header.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void CheckText(string text, string parameter)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"'{text}' holds an unpaired surrogate and has no UTF-8 form.", parameter);
        }
    }


    /// <summary>Passes writes through while holding the callback to its declared byte count.</summary>
    private sealed class ExactLengthStream(Stream inner, long expected, string name) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > expected - _written)
                throw new InvalidOperationException(
                    $"Tensor '{name}': the callback wrote more than the declared {expected} bytes.");
            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void WriteByte(byte value) => Write([value]);

        public void Complete()
        {
            if (_written != expected)
                throw new InvalidOperationException(
                    $"Tensor '{name}': the callback wrote {_written} bytes, not the declared {expected}.");
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
