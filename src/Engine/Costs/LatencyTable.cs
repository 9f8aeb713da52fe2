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
/// The whole original model timed as <c>alds eval</c> times it: two sessions of it alternated (eval alternates the
/// original with the compressed model; each session has its own intra-op threads), <see cref="Runs"/> timed runs in
/// all; the fastest and the median in nanoseconds.
/// </summary>
public sealed record ModelTiming(long FastestNanoseconds, long MedianNanoseconds, int Runs);

/// <summary>
/// Measured ONNX Runtime latencies of a model's layers in one <see cref="LatencyEnvironment"/> (<see cref="Block"/>: the NCHWc block of
/// its CPU, which splits ranks into aligned and unaligned ones), the rest of the graph (the whole original model's
/// fastest run minus its layers' whole latencies, never negative), and the whole original model timed as eval times it
/// (<see cref="Model"/>), which calibrates the table: see <see cref="Scale"/>. Stored as JSON in the cache.
/// </summary>
public sealed record LatencyTable(LatencyEnvironment Environment, string ModelKey, int Block, long RestNanoseconds, IReadOnlyList<LayerLatency> Layers,
    ModelTiming Model)
{
    /// <summary>Bumped when the measurement method changes: older tables are then re-measured.</summary>
    public const int MethodVersion = 3;

    /// <summary>
    /// The calibration: the original's median whole-model latency (as eval measures it) over the table's own sum for
    /// the original (its layers' fastest isolated runs plus the rest). Every entry is multiplied by it, so the
    /// prediction for the original is its measured median. The layers' isolated fastest runs miss what a median of
    /// whole-model runs sees (the spread of the runs, a second session's spinning threads on the same cores, the load
    /// of the moment) and these slow every kernel alike, so the correction is a factor, not an added constant.
    /// A positive factor is monotone: it changes no plan of a <c>--keep</c> ratio, only the milliseconds.
    /// </summary>
    public double Scale
    {
        get
        {
            long sum = RestNanoseconds + Layers.Sum(l => l.WholeNanoseconds);
            return sum > 0 && Model.MedianNanoseconds > 0 ? (double)Model.MedianNanoseconds / sum : 1.0;
        }
    }

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
            return doc is { Method: MethodVersion, Table: { Environment: not null, Layers: not null, ModelKey: not null, Model: not null } t } ? t : null;
        }
        catch (JsonException) { return null; }
    }
}
