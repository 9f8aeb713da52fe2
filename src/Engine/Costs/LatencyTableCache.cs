using System.IO.Hashing;
using System.Text;

namespace Alds.Engine.Costs;

/// <summary>
/// Latency tables in a cache directory (<c>DIR/latency/&lt;model key&gt;.&lt;environment key&gt;.json</c>): one per model
/// and <see cref="LatencyEnvironment"/>. A table of the same model from another environment is never used: the
/// lookup reports it as a mismatch (the caller re-measures, or fails under <c>--cache-only</c>).
/// </summary>
public sealed class LatencyTableCache(string directory)
{
    /// <summary>The folder holding the tables.</summary>
    internal string Directory { get; } = Path.Combine(directory, "latency");

    /// <summary>
    /// The key of a model: XxHash128 of its file's bytes and the shapes it runs at without the batch (the batch is part
    /// of the <see cref="LatencyEnvironment"/>, so a table of another batch is found and named as a mismatch).
    /// </summary>
    public static string ModelKey(string modelPath, IEnumerable<LayerGeometry> geometry)
    {
        var hash = new XxHash128();
        try
        {
            using var stream = File.OpenRead(modelPath);
            hash.Append(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{modelPath}: cannot read: {e.Message}");
        }
        foreach (var g in geometry)
            hash.Append(Encoding.UTF8.GetBytes($"{g.Layer.Name}:{string.Join("x", g.InputShape.Skip(1))}>{string.Join("x", g.OutputShape.Skip(1))};"));
        hash.Append(BitConverter.GetBytes(LatencyTable.MethodVersion));
        return hash.GetCurrentHashAsUInt128().ToString("x32");
    }

    private static string EnvironmentKey(LatencyEnvironment e) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{e.Machine}\n{e.OrtVersion}\n{e.Threads}\n{e.Batch}")).ToString("x16");

    private string PathOf(string modelKey, LatencyEnvironment e) => Path.Combine(Directory, $"{modelKey}.{EnvironmentKey(e)}.json");

    /// <summary>
    /// The table of <paramref name="modelKey"/> measured in <paramref name="environment"/>, or null; when null and a
    /// table of this model from another environment exists, <paramref name="mismatch"/> names how it differs.
    /// </summary>
    public LatencyTable? TryLoad(string modelKey, LatencyEnvironment environment, out string? mismatch)
    {
        mismatch = null;
        var path = PathOf(modelKey, environment);
        if (Read(path) is { } table && table.Environment == environment && table.ModelKey == modelKey) return table;
        if (!System.IO.Directory.Exists(Directory)) return null;
        foreach (var other in System.IO.Directory.EnumerateFiles(Directory, modelKey + ".*.json").Order(StringComparer.Ordinal))
        {
            if (other == path || Read(other) is not { } t || t.ModelKey != modelKey) continue;
            mismatch = $"{other} was measured with {environment.Differences(t.Environment)}";
            break;
        }
        return null;
    }

    /// <summary>Writes <paramref name="table"/> atomically; returns its path.</summary>
    public string Save(LatencyTable table)
    {
        var path = PathOf(table.ModelKey, table.Environment);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            Runtime.TemporaryFiles.WriteAtomically(path, table.ToJson());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{Directory}: cannot write the latency table: {e.Message}");
        }
        return path;
    }

    private static LatencyTable? Read(string path)
    {
        try { return File.Exists(path) ? LatencyTable.TryParse(File.ReadAllBytes(path)) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
