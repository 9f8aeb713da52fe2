using System.IO.Hashing;
using System.Runtime.InteropServices;
using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Caching;

/// <summary>
/// A directory of cached layer spectra (docs/cache.md). One file per (layer bytes, shape, scheme, k set):
/// <c>&lt;key&gt;.spectra</c>, where the key is the XxHash128 of the canonical float64 weight, its shape,
/// the scheme, the group counts and <see cref="AlgorithmVersion"/>. Entries are written atomically and
/// verified on read (magic, version, key, lengths, checksum); anything wrong is recomputed, never trusted.
/// </summary>
public sealed class AnalysisCache
{
    /// <summary>Bumped whenever the sweep's numbers could change: old entries then miss.</summary>
    public const int AlgorithmVersion = 1;
    /// <summary>The version of the entry file format; entries of another version miss.</summary>
    public const int FormatVersion = 1;
    /// <summary>The cache in <paramref name="directory"/>, created when missing.</summary>
    /// <exception cref="OutputWriteException">The directory cannot be created.</exception>
    public AnalysisCache(string directory)
    {
        Directory = directory;
        try { System.IO.Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException($"{directory}: cannot create the cache directory: {e.Message}");
        }
    }

    /// <summary>The cache directory.</summary>
    public string Directory { get; }
    private int _hits, _misses, _rejected;
    /// <summary>Entries found and valid since this instance was created.</summary>
    public int Hits => _hits;
    /// <summary>Entries looked up and absent.</summary>
    public int Misses => _misses;
    /// <summary>Entries present but unreadable or inconsistent (recomputed).</summary>
    public int Rejected => _rejected;

    /// <summary>The cache key of one layer's analysis for one scheme and k set.</summary>
    internal static UInt128 Key(LayerSpec layer, ReadOnlySpan<double> weight, int scheme, IReadOnlyList<int> groupCounts)
    {
        var hash = new XxHash128();
        hash.Append(MemoryMarshal.AsBytes(weight));
        Span<int> header = [AlgorithmVersion, layer.Out, layer.In, layer.Kh, layer.Kw, scheme, groupCounts.Count];
        hash.Append(MemoryMarshal.AsBytes(header));
        foreach (var k in groupCounts) hash.Append(BitConverter.GetBytes(k));
        return hash.GetCurrentHashAsUInt128();
    }

    internal string PathOf(UInt128 key) => System.IO.Path.Combine(Directory, key.ToString("x32") + ".spectra");

    /// <summary>The cached options, or null (missing, stale or corrupt: counted in <see cref="Rejected"/>).</summary>
    internal IReadOnlyList<SchemeOption>? TryGet(UInt128 key)
    {
        var path = PathOf(key);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Interlocked.Increment(ref _misses); return null; }
        var options = CacheEntryFormat.TryDecode(bytes, key);
        if (options is null) { Interlocked.Increment(ref _rejected); Interlocked.Increment(ref _misses); return null; }
        Interlocked.Increment(ref _hits);
        return options;
    }

    internal void Put(UInt128 key, IReadOnlyList<SchemeOption> options) => WriteFile(PathOf(key), CacheEntryFormat.Encode(key, options));

    /// <summary>Writes a cache file atomically (temporary name in the cache directory, then rename).</summary>
    internal void WriteFile(string path, byte[] bytes)
    {
        try { Runtime.TemporaryFiles.WriteAtomically(path, bytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException($"{Directory}: cannot write cache entry: {e.Message}");
        }
    }
}
