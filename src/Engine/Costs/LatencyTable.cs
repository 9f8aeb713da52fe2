using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alds.Engine.Costs;

/// <summary>One measured point: a layer factorised at <see cref="Rank"/> took <see cref="Nanoseconds"/> (fastest run).</summary>
public sealed record LatencyPoint(int Rank, long Nanoseconds);

/// <summary>The measured ranks of one (scheme, k) of a layer.</summary>
public sealed record LatencyChain(int Scheme, int Groups, IReadOnlyList<LatencyPoint> Points);

/// <summary>One layer's measurements: whole, and every measured (scheme, k).</summary>
public sealed record LayerLatency(string Name, long WholeNanoseconds, IReadOnlyList<LatencyChain> Chains);

/// <summary>
/// Measured ONNX Runtime latencies of a model's layers in one <see cref="LatencyEnvironment"/> (<see cref="Block"/>: the NCHWc block of
/// its CPU, which splits ranks into aligned and unaligned ones), and the rest of the
/// graph (the whole original model's latency minus its layers' whole latencies; it absorbs what the per-layer
/// graphs do not see, such as one run's fixed overhead, and may be negative). Stored as JSON in the cache.
/// </summary>
public sealed record LatencyTable(LatencyEnvironment Environment, string ModelKey, int Block, long RestNanoseconds, IReadOnlyList<LayerLatency> Layers)
{
    /// <summary>Bumped when the measurement method changes: older tables are then re-measured.</summary>
    public const int MethodVersion = 2;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private sealed record Document(int Method, LatencyTable Table);

    /// <summary>The layer named <paramref name="name"/>, or null.</summary>
    internal LayerLatency? Layer(string name) => Layers.FirstOrDefault(l => l.Name == name);

    /// <summary>UTF-8 JSON.</summary>
    internal byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new Document(MethodVersion, this), Json);

    /// <summary>The table in <paramref name="bytes"/>, or null when it is not a table of this method version.</summary>
    internal static LatencyTable? TryParse(byte[] bytes)
    {
        try
        {
            var doc = JsonSerializer.Deserialize<Document>(bytes, Json);
            return doc is { Method: MethodVersion, Table: { Environment: not null, Layers: not null, ModelKey: not null } t } ? t : null;
        }
        catch (JsonException) { return null; }
    }
}
