using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Caching;

/// <summary>
/// A model-level cache entry (docs/cache.md): for one model file (keyed by the XxHash128 of all its bytes,
/// the layer filter and the sweep options), the list of its compressible layers, its total parameter
/// count and the keys of their spectra entries. With it, re-planning a cached model reads neither the
/// weights nor the model graph — only the file's bytes, to hash them.
/// </summary>
public static class ModelManifest
{
    private const int Version = 1;

    /// <summary>The manifest key of a model file under the given filter and sweep options.</summary>
    public static UInt128 Key(string modelPath, LayerFilter filter, SweepOptions options)
    {
        var hash = new XxHash128();
        using (var stream = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            var buffer = new byte[1 << 20];
            int n;
            while ((n = stream.Read(buffer)) > 0) hash.Append(buffer.AsSpan(0, n));
        }
        var text = $"v{Version}|a{AnalysisCache.AlgorithmVersion}|{filter.Include}|{filter.Exclude}|{string.Join(",", options.Schemes)}|{options.MaxGroups}";
        hash.Append(Encoding.UTF8.GetBytes(text));
        return hash.GetCurrentHashAsUInt128();
    }

    private static string PathOf(AnalysisCache cache, UInt128 key) => Path.Combine(cache.Directory, key.ToString("x32") + ".manifest");

    /// <summary>Records the layers of an analysed model and the keys of their entries.</summary>
    internal static void Save(AnalysisCache cache, UInt128 key, long modelParams, IReadOnlyList<(LayerSpec layer, IReadOnlyList<UInt128> entries)> layers)
    {
        using var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteString("key", key.ToString("x32"));
            w.WriteNumber("model_params", modelParams);
            w.WriteStartArray("layers");
            foreach (var (l, entries) in layers)
            {
                w.WriteStartObject();
                w.WriteString("name", l.Name);
                w.WriteString("kind", l.Kind.ToString());
                w.WriteNumber("out", l.Out); w.WriteNumber("in", l.In); w.WriteNumber("kh", l.Kh); w.WriteNumber("kw", l.Kw);
                w.WriteString("weight", l.WeightTensor);
                if (l.BiasTensor is null) w.WriteNull("bias"); else w.WriteString("bias", l.BiasTensor);
                w.WriteString("layout", l.Layout.ToString());
                w.WriteStartArray("entries");
                foreach (var e in entries) w.WriteStringValue(e.ToString("x32"));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var bytes = body.ToArray();
        var file = new byte[bytes.Length + 8];
        bytes.CopyTo(file, 0);
        BitConverter.TryWriteBytes(file.AsSpan(bytes.Length), XxHash64.HashToUInt64(bytes));
        cache.WriteFile(PathOf(cache, key), file);
    }

    /// <summary>The cached analysis of the model, or null when the manifest or any entry is missing or invalid.</summary>
    public static (ModelAnalysis analysis, long modelParams)? TryLoad(AnalysisCache cache, UInt128 key, SweepOptions options)
    {
        byte[] file;
        try { file = File.ReadAllBytes(PathOf(cache, key)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (file.Length < 8) return null;
        var body = file.AsSpan(0, file.Length - 8);
        if (BitConverter.ToUInt64(file, file.Length - 8) != XxHash64.HashToUInt64(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(file.AsMemory(0, file.Length - 8));
            var root = doc.RootElement;
            if (root.GetProperty("version").GetInt32() != Version || root.GetProperty("key").GetString() != key.ToString("x32")) return null;
            var layers = new List<LayerAnalysis>();
            foreach (var l in root.GetProperty("layers").EnumerateArray())
            {
                var spec = new LayerSpec(l.GetProperty("name").GetString()!, Enum.Parse<LayerKind>(l.GetProperty("kind").GetString()!),
                    l.GetProperty("out").GetInt32(), l.GetProperty("in").GetInt32(), l.GetProperty("kh").GetInt32(), l.GetProperty("kw").GetInt32(),
                    l.GetProperty("weight").GetString()!, l.GetProperty("bias").GetString(), Enum.Parse<WeightLayout>(l.GetProperty("layout").GetString()!));
                var opts = new List<SchemeOption>();
                foreach (var e in l.GetProperty("entries").EnumerateArray())
                {
                    if (!UInt128.TryParse(e.GetString(), System.Globalization.NumberStyles.HexNumber, null, out var entryKey)) return null;
                    var entry = cache.TryGet(entryKey);
                    if (entry is null) return null;
                    opts.AddRange(entry);
                }
                layers.Add(new LayerAnalysis(spec, opts));
            }
            return (new ModelAnalysis(layers, options.Schemes), root.GetProperty("model_params").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
