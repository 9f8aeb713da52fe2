using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.MemoryMappedFiles;
using Alds.Engine.Tensors;

namespace Alds.Engine.IO;

/// <summary>
/// A safetensors file opened read-only through a memory mapping: the header is validated on
/// <see cref="Open"/>, tensor bytes are zero-copy views into the mapping. Files and tensors
/// larger than 4 GiB are supported (views of at most 2^31 − 1 bytes each).
/// Lifetime: spans and pointers are valid until <see cref="Dispose"/>. Reading is thread-safe.
/// The file must not be truncated while open (a mapped page past the end faults).
/// </summary>
internal sealed unsafe class SafetensorsFile : IDisposable
{
    private const int CopyBufferSize = 1 << 20;
    private const int DecodeChunk = 1 << 16;

    private readonly FileStream _stream;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafetensorsHeader _header;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;
    private readonly TensorEntry[] _entries;
    private byte* _base; /* first byte of the file */

    private SafetensorsFile(string path, FileStream stream, MemoryMappedFile map, MemoryMappedViewAccessor view,
        byte* basePointer, SafetensorsHeader header)
    {
        Path = path;
        _stream = stream;
        _map = map;
        _view = view;
        _base = basePointer;
        _header = header;
        FileLength = stream.Length;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _entries = header.Tensors.Select(t => t.Entry).ToArray();
    }

    /// <summary>The path as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The file's length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The validated header: lengths, tensors with offsets, metadata.</summary>
    public SafetensorsHeader Header => _header;

    /// <summary>The tensors in file (offset) order.</summary>
    public IReadOnlyList<TensorEntry> Tensors => _entries;

    /// <summary>The tensors with their byte ranges, in file (offset) order.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> TensorInfos => _header.Tensors;

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    /// <summary>
    /// Opens and validates a file. Every failure, including a missing or unreadable file, is a
    /// <see cref="SafetensorsException"/> with a one-line message. The file is never modified.
    /// </summary>
    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 0, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SafetensorsException(SafetensorsErrorKind.Io, path, null, $"cannot open the file: {e.Message}", e);
        }

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            long length;
            try
            {
                length = stream.Length;
                if (length >= 8)
                {
                    map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
                        HandleInheritability.None, leaveOpen: true);
                    view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new SafetensorsException(SafetensorsErrorKind.Io, path, null, $"cannot map the file: {e.Message}", e);
            }
            if (view is null)
                SafetensorsHeader.Parse(ReadOnlySpan<byte>.Empty, length, path); // throws HeaderTooSmall
            byte* pointer = null;
            view!.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            int prefix = (int)Math.Min(length, 8 + SafetensorsHeader.MaxHeaderLength);
            var header = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(pointer, prefix), length, path);
            return new SafetensorsFile(path, stream, map!, view, pointer, header);
        }
        catch
        {
            if (acquired)
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Parses and validates a header without a file; see <see cref="SafetensorsHeader.Parse"/>.</summary>
    public static SafetensorsHeader ParseHeader(ReadOnlySpan<byte> prefix, long fileLength, string path) =>
        SafetensorsHeader.Parse(prefix, fileLength, path);

    /// <summary>Looks a tensor up by name (ordinal).</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out SafetensorsTensorInfo info) =>
        _byName.TryGetValue(name, out info);

    /// <summary>Looks a tensor up by name; a missing name is a <see cref="SafetensorsErrorKind.TensorNotFound"/>.</summary>
    public SafetensorsTensorInfo Get(string name) =>
        _byName.TryGetValue(name, out var info)
            ? info
            : throw new SafetensorsException(SafetensorsErrorKind.TensorNotFound, Path, name, "no such tensor in the file");

    /// <summary>
    /// The address of a tensor's first byte in the mapping; <c>ByteLength</c> bytes follow.
    /// Unchecked: valid only until <see cref="Dispose"/>, and must only be read.
    /// </summary>
    public byte* DangerousGetPointer(string name)
    {
        var info = Get(name);
        return DataPointer() + info.Begin;
    }

    /// <summary>A zero-copy view of a whole tensor; tensors over <see cref="int.MaxValue"/> bytes need the ranged overload.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var info = Get(name);
        if (info.ByteLength > int.MaxValue)
            throw new SafetensorsException(SafetensorsErrorKind.TensorTooLarge, Path, name,
                $"{info.ByteLength} bytes do not fit one span; read it in ranges");
        return new ReadOnlySpan<byte>(DataPointer() + info.Begin, (int)info.ByteLength);
    }

    /// <summary>A zero-copy view of <paramref name="byteCount"/> bytes of a tensor from <paramref name="byteOffset"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount)
    {
        var info = Get(name);
        CheckRange(info.ByteLength, byteOffset, byteCount, "byte");
        return new ReadOnlySpan<byte>(DataPointer() + info.Begin + byteOffset, byteCount);
    }

    /// <summary>Reads a whole F16/BF16/F32/F64 tensor as float64 (exact), in stored order.</summary>
    public void ReadFloat64(string name, Span<double> destination) =>
        ReadFloat64(name, 0, destination, whole: true);

    /// <summary>Reads <c>destination.Length</c> elements from <paramref name="elementOffset"/> as float64 (exact).</summary>
    public void ReadFloat64(string name, long elementOffset, Span<double> destination) =>
        ReadFloat64(name, elementOffset, destination, whole: false);

    /// <summary>Reads a whole F16/BF16/F32/F64 tensor as float32 (F64 rounds to nearest even; others exact).</summary>
    public void ReadFloat32(string name, Span<float> destination) =>
        ReadFloat32(name, 0, destination, whole: true);

    /// <summary>Reads <c>destination.Length</c> elements from <paramref name="elementOffset"/> as float32.</summary>
    public void ReadFloat32(string name, long elementOffset, Span<float> destination) =>
        ReadFloat32(name, elementOffset, destination, whole: false);

    /// <summary>
    /// Reads a float tensor (F16/BF16/F32/F64) as float64 with positional reads decoded chunk by chunk: neither the
    /// mapping's pages nor a whole-tensor byte buffer stay resident, so reading a layer costs only its float64 copy.
    /// </summary>
    internal void ReadFloat64Unmapped(string name, Span<double> destination) => ReadUnmapped(name, destination);

    /// <summary>As <see cref="ReadFloat64Unmapped"/>, narrowed to float32 (exact for F16/BF16/F32).</summary>
    internal void ReadFloat32Unmapped(string name, Span<float> destination) => ReadUnmapped(name, destination);

    private void ReadUnmapped<TFloat>(string name, Span<TFloat> destination) where TFloat : unmanaged
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        var info = Get(name);
        int size = FloatCodec.ElementSize(info.DType);
        long count = info.ByteLength / size;
        if (destination.Length != count)
            throw new ArgumentException($"destination holds {destination.Length} values, tensor '{name}' has {count}", nameof(destination));
        long position = DataStart() + info.Begin;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int chunk = buffer.Length / 8 * 8; // whole elements of every float dtype
            long done = 0;
            while (done < count)
            {
                int want = (int)Math.Min(chunk, (count - done) * size), filled = 0;
                while (filled < want)
                {
                    int read;
                    try
                    {
                        read = RandomAccess.Read(_stream.SafeFileHandle, buffer.AsSpan(filled, want - filled), position);
                    }
                    catch (IOException e)
                    {
                        throw new SafetensorsException(SafetensorsErrorKind.Io, Path, name, $"cannot read the file: {e.Message}", e);
                    }
                    if (read == 0)
                        throw new SafetensorsException(SafetensorsErrorKind.Io, Path, name,
                            $"the file ended at byte {position} while reading (was it truncated?)");
                    filled += read;
                    position += read;
                }
                FloatCodec.Decode(info.DType, buffer.AsSpan(0, want), destination.Slice((int)done, want / size));
                done += want / size;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Copies a tensor's bytes to <paramref name="destination"/> with positional reads of the file
    /// (through the page cache, not the mapping), so copying does not grow this process's resident memory.
    /// </summary>
    public void CopyTensorBytes(string name, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_base == null, this);
        var info = Get(name);
        long position = DataStart() + info.Begin;
        long remaining = info.ByteLength;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyBufferSize, Math.Max(1, remaining)));
        try
        {
            while (remaining > 0)
            {
                int want = (int)Math.Min(buffer.Length, remaining);
                int read;
                try
                {
                    read = RandomAccess.Read(_stream.SafeFileHandle, buffer.AsSpan(0, want), position);
                }
                catch (IOException e)
                {
                    throw new SafetensorsException(SafetensorsErrorKind.Io, Path, name, $"cannot read the file: {e.Message}", e);
                }
                if (read == 0)
                    throw new SafetensorsException(SafetensorsErrorKind.Io, Path, name,
                        $"the file ended at byte {position} while copying (was it truncated?)");
                destination.Write(buffer, 0, read);
                position += read;
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Unmaps the file; every span and pointer obtained from it becomes invalid.</summary>
    public void Dispose()
    {
        if (_base == null)
            return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _stream.Dispose();
    }

    private void ReadFloat64(string name, long elementOffset, Span<double> destination, bool whole)
    {
        var (info, size) = FloatRange(name, elementOffset, destination.Length, whole);
        byte* source = DataPointer() + info.Begin + elementOffset * size;
        for (int i = 0; i < destination.Length; i += DecodeChunk)
        {
            int n = Math.Min(DecodeChunk, destination.Length - i);
            FloatCodec.Decode(info.DType, new ReadOnlySpan<byte>(source + (long)i * size, n * size), destination.Slice(i, n));
        }
    }

    private void ReadFloat32(string name, long elementOffset, Span<float> destination, bool whole)
    {
        var (info, size) = FloatRange(name, elementOffset, destination.Length, whole);
        byte* source = DataPointer() + info.Begin + elementOffset * size;
        for (int i = 0; i < destination.Length; i += DecodeChunk)
        {
            int n = Math.Min(DecodeChunk, destination.Length - i);
            FloatCodec.Decode(info.DType, new ReadOnlySpan<byte>(source + (long)i * size, n * size), destination.Slice(i, n));
        }
    }

    private (SafetensorsTensorInfo Info, int Size) FloatRange(string name, long elementOffset, int count, bool whole)
    {
        var info = Get(name);
        if (!info.DType.IsComputable())
            throw new SafetensorsException(SafetensorsErrorKind.UnsupportedDType, Path, name,
                $"dtype {info.DType} cannot be read as float (only F16, BF16, F32, F64); read its raw bytes instead");
        long elements = info.Entry.ElementCount;
        if (whole && count != elements)
            throw new ArgumentException(
                $"Tensor '{name}' has {elements} elements but the destination holds {count}.", "destination");
        CheckRange(elements, elementOffset, count, "element");
        return (info, FloatCodec.ElementSize(info.DType));
    }

    private static void CheckRange(long length, long offset, int count, string unit)
    {
        if (offset < 0 || offset > length || count > length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"The {unit} range [{offset}, {offset} + {count}) is outside the tensor's {length} {unit}s.");
    }

    private long DataStart() => _header.DataStart;

    private byte* DataPointer()
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return _base + _header.DataStart;
    }
}
