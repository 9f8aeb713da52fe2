using System.Text.Encodings.Web;
using System.Text.Json;
using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Runtime;

namespace Alds.Engine.Export;

/// <summary>
/// Writes the compressed model of a sharded checkpoint as a sharded checkpoint (docs/format.md): output shard
/// <c>i</c> has the input shard's file name and holds the compressed form of exactly the tensors of input shard
/// <c>i</c>; every shard header carries the <c>format</c>/<c>alds.*</c> metadata; the index has the
/// <c>weight_map</c> and <c>metadata.total_size</c> (plus the same <c>format</c>/<c>alds.*</c> keys).
/// All-or-nothing: every shard and the index are written to temporaries first, then renamed, the index last;
/// on any failure everything written so far is removed.
/// </summary>
public static class ShardedCompressedWriter
{
    /// <summary>
    /// Writes to <paramref name="output"/>: a directory (created if missing; the index takes the input index's
    /// file name), or the path of the index <c>.json</c> (the shards go beside it). Returns the measured plan.
    /// </summary>
    internal static Plan Write(ShardedSafetensorsModelSource source, Plan plan, string output,
        IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default)
    {
        var (directory, indexPath) = ResolveOutput(source, output);
        foreach (var shard in source.Shards)
            EnsureNotInput(source, shard.File.Path, Path.Combine(directory, shard.Name));
        EnsureNotInput(source, source.Path, indexPath);

        bool createdDirectory = !Directory.Exists(directory);
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException($"{directory}: cannot create the output directory: {e.Message}");
        }

        var temporaries = new List<(TemporaryFiles.Registration temp, string target)>();
        var committed = new List<string>();
        try
        {
            Plan measured;
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            long totalSize = 0;
            using (var store = new FactorStore(indexPath))
            {
                (var tensors, measured) = CompressedModelWriter.Factorize(source, plan, store, progress, cancel);
                foreach (var shard in source.Shards)
                {
                    cancel.ThrowIfCancellationRequested();
                    var writer = new SafetensorsWriter(CompressedModelWriter.Metadata(shard.File.Metadata, measured));
                    foreach (var t in shard.Tensors) tensors.Declare(writer, t);
                    var layout = writer.Layout();
                    foreach (var info in layout) weightMap.Add(info.Name, shard.Name);
                    totalSize += layout.Count == 0 ? 0 : layout[^1].End;
                    var target = Path.Combine(directory, shard.Name);
                    var temp = TemporaryFiles.CreateSibling(target);
                    temporaries.Add((temp, target));
                    WriteFile(temp.Path, s => writer.WriteTo(s, cancel));
                }
            }
            var index = TemporaryFiles.CreateSibling(indexPath);
            temporaries.Add((index, indexPath));
            var indexBytes = IndexJson(source.IndexMetadata, measured, totalSize, weightMap);
            WriteFile(index.Path, s => s.Write(indexBytes));

            foreach (var (temp, target) in temporaries)
            {
                cancel.ThrowIfCancellationRequested();
                temp.CommitTo(target);
                committed.Add(target);
            }
            return measured;
        }
        catch (Exception e)
        {
            foreach (var path in committed) TemporaryFiles.TryDelete(path);
            foreach (var (temp, _) in temporaries) temp.Dispose();
            if (createdDirectory) TryDeleteEmptyDirectory(directory);
            if (e is IOException or UnauthorizedAccessException)
                throw new OutputWriteException($"{output}: cannot write the sharded output: {e.Message}", e);
            throw; // bad input arrives as ModelFormatException; anything else is a bug and surfaces as one
        }
        finally
        {
            foreach (var (temp, _) in temporaries) temp.Dispose();
        }
    }

    /// <summary>The output directory and index path for <paramref name="output"/> (see <see cref="Write"/>).</summary>
    internal static (string directory, string indexPath) ResolveOutput(ShardedSafetensorsModelSource source, string output)
    {
        var full = Path.GetFullPath(output);
        if (output.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(full))
            return (Path.GetDirectoryName(full) ?? ".", full);
        return (full, Path.Combine(full, Path.GetFileName(source.Path)));
    }

    /// <summary>The default output of a sharded input: directory <c>&lt;input directory name&gt;.alds</c> in the current directory.</summary>
    public static string DefaultOutput(string model)
    {
        var full = Path.GetFullPath(model).TrimEnd(Path.DirectorySeparatorChar);
        var directory = Directory.Exists(full) ? full : Path.GetDirectoryName(full) ?? full;
        return Path.GetFileName(directory) + ".alds";
    }

    /// <summary>The bytes of a written output: a file's length, or for a sharded output the index plus its shards.</summary>
    public static long OutputBytes(string output)
    {
        if (File.Exists(output) && !output.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return new FileInfo(output).Length;
        string index = output;
        if (Directory.Exists(output) && !ShardedSafetensorsModelSource.TryFindIndex(output, out index)) return 0;
        var dir = Path.GetDirectoryName(Path.GetFullPath(index)) ?? ".";
        using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
        var files = doc.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Value.GetString()!).Distinct();
        return new FileInfo(index).Length + files.Sum(f => new FileInfo(Path.Combine(dir, f)).Length);
    }

    private static void EnsureNotInput(ShardedSafetensorsModelSource source, string input, string target)
    {
        try
        {
            SafetensorsWriter.EnsureNotSameFile(input, target);
            foreach (var shard in source.Shards) SafetensorsWriter.EnsureNotSameFile(shard.File.Path, target);
        }
        catch (OutputIsInputException e) { throw new ModelFormatException(e.Message); }
    }

    private static void WriteFile(string path, Action<Stream> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        write(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Hugging Face's index layout: metadata (total_size first), then the weight map in ordinal tensor order.</summary>
    private static byte[] IndexJson(IReadOnlyDictionary<string, string> inputMetadata, Plan measured, long totalSize,
        SortedDictionary<string, string> weightMap)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            w.WriteNumber("total_size", totalSize);
            var metadata = CompressedModelWriter.Metadata(inputMetadata.Where(p => p.Key != "total_size")
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), measured);
            foreach (var key in metadata.Keys.Order(StringComparer.Ordinal)) w.WriteString(key, metadata[key]);
            w.WriteEndObject();
            w.WriteStartObject("weight_map");
            foreach (var (tensor, file) in weightMap) w.WriteString(tensor, file);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void TryDeleteEmptyDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
