using System.Runtime.InteropServices;

namespace Alds.Engine.Calibration;

/// <summary>
/// Layer moments on disk, one file per (model, layer, calibration set): <c>&lt;key&gt;.moment</c> holding a header (magic,
/// order, count) and the lower triangle row by row in float64, little-endian; beside it <c>&lt;key&gt;.mean</c>, the first
/// moment (magic, order, n float64). In a <c>--cache</c> folder they are kept for
/// later runs; otherwise in a temporary folder removed on <see cref="Dispose"/>. Only one layer's moment is in memory at a time.
/// A file that does not read back whole and consistent is treated as missing.
/// </summary>
public sealed class MomentStore : IDisposable
{
    private const ulong Magic = 0x31544e454d4f4d41; // "AMOMENT1"
    private const ulong MeanMagic = 0x314e4145_4d4d4441; // "ADMMEAN1"
    private readonly bool _temporary;
    private readonly UInt128 _model, _set;

    /// <summary>A store in <paramref name="directory"/> (null: a temporary folder) for the moments of the model
    /// <paramref name="modelKey"/> under the calibration set <paramref name="setKey"/>.</summary>
    public MomentStore(string? directory, UInt128 modelKey, UInt128 setKey)
    {
        _temporary = directory is null;
        Directory = directory ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alds-moments-" + Guid.NewGuid().ToString("N"));
        try { System.IO.Directory.CreateDirectory(Directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{Directory}: cannot create the folder for calibration statistics: {e.Message}");
        }
        (_model, _set) = (modelKey, setKey);
    }

    internal string Directory { get; }

    internal string PathOf(string layer)
    {
        var hash = new System.IO.Hashing.XxHash128();
        hash.Append(MemoryMarshal.AsBytes([_model, _set]));
        hash.Append(System.Text.Encoding.UTF8.GetBytes(layer));
        return System.IO.Path.Combine(Directory, hash.GetCurrentHashAsUInt128().ToString("x32") + ".moment");
    }

    /// <summary>Both the moment and the first moment (<c>&lt;key&gt;.mean</c>) are stored and readable.</summary>
    internal bool Contains(string layer, int order) => TryRead(layer, order) is not null && TryReadMean(layer, order) is not null;

    internal void Write(string layer, SecondMoment moment)
    {
        var c = moment.Moment();
        int n = moment.Order;
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic); w.Write(n); w.Write(moment.Count);
            for (int i = 0; i < n; i++) w.Write(MemoryMarshal.AsBytes(c.AsSpan(i * n, i + 1)));
        }
        Runtime.TemporaryFiles.WriteAtomically(PathOf(layer), buffer.ToArray());
        using var means = new MemoryStream();
        using (var w = new BinaryWriter(means, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(MeanMagic); w.Write(n);
            w.Write(MemoryMarshal.AsBytes(moment.Mean().AsSpan()));
        }
        Runtime.TemporaryFiles.WriteAtomically(System.IO.Path.ChangeExtension(PathOf(layer), ".mean"), means.ToArray());
    }

    /// <summary>μ = E[x] (n values), or null when missing or not readable.</summary>
    public double[]? TryReadMean(string layer, int order)
    {
        var path = System.IO.Path.ChangeExtension(PathOf(layer), ".mean");
        if (!File.Exists(path)) return null;
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.BaseStream.Length != 12 + 8L * order || r.ReadUInt64() != MeanMagic || r.ReadInt32() != order) return null;
            var mean = new double[order];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(mean.AsSpan()));
            return mean;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>C (n×n row-major, lower triangle) and the count, or null when missing or not readable.</summary>
    internal (double[] moment, long count)? TryRead(string layer, int order)
    {
        var path = PathOf(layer);
        if (!File.Exists(path)) return null;
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            long expected = 20 + 8L * order * (order + 1) / 2;
            if (r.BaseStream.Length != expected || r.ReadUInt64() != Magic || r.ReadInt32() != order) return null;
            long count = r.ReadInt64();
            var c = new double[(long)order * order];
            for (int i = 0; i < order; i++) r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(c.AsSpan(i * order, i + 1)));
            return (c, count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Removes the temporary folder, if this store made one.</summary>
    public void Dispose()
    {
        if (!_temporary) return;
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
