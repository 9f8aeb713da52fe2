using Alds.Engine.IO;
using Alds.Engine.Runtime;
using Alds.Engine.Tensors;

namespace Alds.Engine.Export;

/// <summary>
/// Encoded factor bytes spilled to a temporary file, so that writing a compressed model never holds all
/// factors in memory. Deleted on dispose (and on interruption).
/// </summary>
internal sealed class FactorStore : IDisposable
{
    private readonly TemporaryFiles.Registration _file;
    private readonly FileStream _stream;
    private readonly Dictionary<string, (long offset, long length)> _entries = new(StringComparer.Ordinal);

    public FactorStore(string besideOutput)
    {
        _file = TemporaryFiles.CreateSibling(besideOutput + ".factors");
        _stream = new FileStream(_file.Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
    }

    public void Add(string name, DType dtype, ReadOnlySpan<double> values)
    {
        // Encoded in chunks: a whole-factor byte array would be one more large buffer at the stage's peak.
        const int Chunk = 1 << 17;
        int size = dtype.Bits() / 8;
        var bytes = new byte[Chunk * size];
        _stream.Seek(0, SeekOrigin.End);
        _entries.Add(name, (_stream.Position, checked((long)values.Length * size)));
        for (int start = 0; start < values.Length; start += Chunk)
        {
            var part = values.Slice(start, Math.Min(Chunk, values.Length - start));
            FloatCodec.Encode(dtype, part, bytes.AsSpan(0, part.Length * size));
            _stream.Write(bytes, 0, part.Length * size);
        }
    }

    public void CopyTo(string name, Stream destination)
    {
        var (offset, length) = _entries[name];
        _stream.Flush();
        _stream.Position = offset;
        var buffer = new byte[Math.Min(1 << 20, Math.Max(1, length))];
        for (long left = length; left > 0;)
        {
            int n = (int)Math.Min(buffer.Length, left);
            _stream.ReadExactly(buffer, 0, n);
            destination.Write(buffer, 0, n);
            left -= n;
        }
    }

    public void Dispose()
    {
        // Disposing flushes the buffer, which throws on a full disk: the temporary file must go anyway.
        try { _stream.Dispose(); }
        finally { _file.Dispose(); }
    }
}
