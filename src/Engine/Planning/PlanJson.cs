using System.Text;
using System.Text.Json;

namespace Alds.Engine.Planning;

/// <summary>One layer of a plan as it appears in plan JSON (DESIGN §4).</summary>
internal sealed record PlanLayerDocument(
    string Name,
    int[] Shape,
    int Scheme,
    int Groups,
    int Rank,
    long ParamsBefore,
    long ParamsAfter,
    bool Compressed,
    double RelError,
    double? RelErrorMeasured)
{
    /// <summary>Value equality including the shape's elements.</summary>
    public bool Equals(PlanLayerDocument? other) =>
        other is not null && Name == other.Name && Shape.AsSpan().SequenceEqual(other.Shape) && Scheme == other.Scheme
        && Groups == other.Groups && Rank == other.Rank && ParamsBefore == other.ParamsBefore && ParamsAfter == other.ParamsAfter
        && Compressed == other.Compressed && RelError.Equals(other.RelError) && Nullable.Equals(RelErrorMeasured, other.RelErrorMeasured);

    public override int GetHashCode() => HashCode.Combine(Name, Scheme, Groups, Rank, ParamsAfter);
}

/// <summary>
/// A plan as read back from plan JSON (front ends, the <c>alds.plan</c> metadata of a compressed file).
/// <see cref="NextSmallerThreshold"/> is present only for the exact optimizer.
/// </summary>
internal sealed record PlanDocument(
    int Version,
    string Optimizer,
    int[] Schemes,
    string ErrorMeasure,
    double? Keep,
    long BudgetParams,
    long ParamsBefore,
    long ParamsAfter,
    double MaxRelError,
    string Bottleneck,
    double? NextSmallerThreshold,
    long? NextSmallerThresholdParams,
    IReadOnlyList<PlanLayerDocument> Layers)
{
    /// <summary>The document that <see cref="PlanJson.Write(Plan, bool)"/> writes for <paramref name="plan"/>.</summary>
    public static PlanDocument From(Plan plan) => new(
        PlanJson.Version, plan.Optimizer, [.. plan.Schemes], plan.ErrorMeasure, plan.Keep, plan.Budget, plan.ParamsBefore,
        plan.ParamsAfter, plan.MaxRelError, plan.Bottleneck, plan.NextSmallerThreshold, plan.NextSmallerThresholdParams,
        [.. plan.Layers.Select(c => new PlanLayerDocument(c.Layer.Name, c.Layer.Shape, c.Scheme, c.Groups, c.Rank,
            c.ParamsBefore, c.ParamsAfter, c.Compressed, c.RelError, c.RelErrorMeasured))]);

    /// <summary>Value equality including array and list contents.</summary>
    public bool Equals(PlanDocument? other) =>
        other is not null && Version == other.Version && Optimizer == other.Optimizer && Schemes.AsSpan().SequenceEqual(other.Schemes)
        && ErrorMeasure == other.ErrorMeasure && Nullable.Equals(Keep, other.Keep) && BudgetParams == other.BudgetParams
        && ParamsBefore == other.ParamsBefore && ParamsAfter == other.ParamsAfter && MaxRelError.Equals(other.MaxRelError)
        && Bottleneck == other.Bottleneck && Nullable.Equals(NextSmallerThreshold, other.NextSmallerThreshold)
        && NextSmallerThresholdParams == other.NextSmallerThresholdParams && Layers.SequenceEqual(other.Layers);

    public override int GetHashCode() => HashCode.Combine(Optimizer, BudgetParams, ParamsAfter, MaxRelError, Layers.Count);
}

/// <summary>
/// Plan JSON (DESIGN §4): fixed field order, invariant number formatting (shortest round-trip
/// doubles), no timings, so the same plan always gives the same bytes.
/// </summary>
public static class PlanJson
{
    /// <summary>The format version written.</summary>
    public const int Version = 1;

    /// <summary>The plan as compact UTF-8 JSON text.</summary>
    public static string Write(Plan plan, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
            Write(writer, plan);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the plan as one JSON object.</summary>
    public static void Write(Utf8JsonWriter w, Plan plan)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(plan);
        w.WriteStartObject();
        w.WriteNumber("version", Version);
        w.WriteString("optimizer", plan.Optimizer);
        w.WriteStartArray("schemes");
        foreach (int s in plan.Schemes) w.WriteNumberValue(s);
        w.WriteEndArray();
        w.WriteString("error", plan.ErrorMeasure);
        w.WriteStartObject("budget");
        if (plan.Keep is double keep) w.WriteNumber("keep", keep); else w.WriteNull("keep");
        w.WriteNumber("params", plan.Budget);
        w.WriteNumber("params_before", plan.ParamsBefore);
        w.WriteNumber("params_after", plan.ParamsAfter);
        if (plan.Cost is { } cost) WriteCost(w, cost);
        w.WriteEndObject();
        w.WriteNumber("max_rel_error", plan.MaxRelError);
        w.WriteString("bottleneck", plan.Bottleneck);
        if (plan.Optimizer == OptimizerKind.Exact.Name() || plan.Optimizer == OptimizerKind.K1.Name())
        {
            if (plan.NextSmallerThreshold is double t)
            {
                w.WriteStartObject("next_smaller_threshold");
                w.WriteNumber("max_rel_error", t);
                w.WriteNumber("params", plan.NextSmallerThresholdParams ?? 0);
                if (plan.Cost is { NextSmaller: long n } c) WriteCostValue(w, c.Kind, "", n);
                w.WriteEndObject();
            }
            else w.WriteNull("next_smaller_threshold");
        }
        w.WriteStartArray("layers");
        foreach (var c in plan.Layers)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Layer.Name);
            if (Layers.TransformerRoles.RoleOf(c.Layer.Name) is string role) w.WriteString("role", role);
            w.WriteStartArray("shape");
            foreach (int d in c.Layer.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("scheme", c.Scheme);
            w.WriteNumber("groups", c.Groups);
            w.WriteNumber("rank", c.Rank);
            w.WriteNumber("params_before", c.ParamsBefore);
            w.WriteNumber("params_after", c.ParamsAfter);
            w.WriteBoolean("compressed", c.Compressed);
            w.WriteNumber("rel_error", c.RelError);
            if (c.RelErrorMeasured is double m) w.WriteNumber("rel_error_measured", m);
            if (c.RelErrorMeasuredWhitened is double mw) w.WriteNumber("rel_error_measured_whitened", mw);
            if (plan.Cost is { } pc && c.CostBefore is long cb && c.CostAfter is long ca)
            {
                WriteCostValue(w, pc.Kind, "_before", cb);
                WriteCostValue(w, pc.Kind, "_after", ca);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (plan.Calibration is { } cal) WriteCalibration(w, cal);
        w.WriteEndObject();
    }

    private static void WriteCalibration(Utf8JsonWriter w, PlanCalibration cal)
    {
        w.WriteStartObject("calibration");
        w.WriteString("source", cal.Source);
        w.WriteNumber("samples", cal.Samples);
        w.WriteNumber("seed", cal.Seed);
        w.WriteNumber("lambda", cal.Lambda);
        w.WriteString("preprocessing", cal.Preprocessing);
        w.WriteString("measure", PlanCalibration.Measure);
        w.WriteString("allocation", cal.Allocation);
        if (cal.Norm is { } norm) w.WriteString("norm", norm);
        if (cal.Texts.Count > 0)
        {
            if (cal.Tokens is long tokens) w.WriteNumber("tokens", tokens);
            w.WriteStartArray("texts");
            foreach (var hash in cal.Texts) w.WriteStringValue(hash);
            w.WriteEndArray();
        }
        else
        {
            w.WriteStartArray("images");
            foreach (var (name, hash) in cal.Images)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("xxhash64", hash);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartArray("layers");
        foreach (var l in cal.Layers)
        {
            w.WriteStartObject();
            w.WriteString("name", l.Name);
            w.WriteString("whitening", l.Method);
            w.WriteNumber("lambda", l.Lambda);
            w.WriteNumber("vectors", l.Samples);
            w.WriteNumber("order", l.Order);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// The budget's cost when it is not params (optional fields; readers of version 1 ignore them):
    /// <c>cost</c> (<c>macs</c> or <c>latency</c>), the limit, and the totals before and after; for latency the totals
    /// are the whole model's predicted milliseconds, the rest of the graph (<c>latency_rest_ms</c>) included.
    /// </summary>
    private static void WriteCost(Utf8JsonWriter w, PlanCost cost)
    {
        w.WriteString("cost", cost.Kind.Name());
        WriteCostValue(w, cost.Kind, "", cost.Limit);
        WriteCostValue(w, cost.Kind, "_before", cost.TotalBefore);
        WriteCostValue(w, cost.Kind, "_after", cost.TotalAfter);
        if (cost.Kind == CostKind.Latency) WriteCostValue(w, cost.Kind, "_rest", cost.Fixed);
    }

    /// <summary><c>macs{suffix}</c> as an integer, or <c>latency_ms{suffix}</c> in milliseconds (from nanoseconds).</summary>
    private static void WriteCostValue(Utf8JsonWriter w, CostKind kind, string suffix, long value)
    {
        if (kind == CostKind.Latency) w.WriteNumber("latency_ms" + suffix, value / 1e6);
        else w.WriteNumber(kind.Name() + suffix, value);
    }

    /// <summary>
    /// Reads plan JSON. <paramref name="source"/> names where it came from (a file, "alds.plan metadata")
    /// in the one-line <see cref="ModelFormatException"/> thrown for malformed input.
    /// </summary>
    internal static PlanDocument Parse(string json, string source = "plan JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, "the root is not an object");
            int version = Get(root, "version", source).GetInt32();
            if (version != Version) throw Bad(source, $"unsupported version {version} (expected {Version})");
            var budget = Get(root, "budget", source);
            var keepEl = Get(budget, "keep", source);
            double? next = null;
            long? nextParams = null;
            if (root.TryGetProperty("next_smaller_threshold", out var ns) && ns.ValueKind == JsonValueKind.Object)
            {
                next = Get(ns, "max_rel_error", source).GetDouble();
                nextParams = Get(ns, "params", source).GetInt64();
            }
            var layers = new List<PlanLayerDocument>();
            foreach (var l in Array(root, "layers", source))
            {
                double? measured = l.TryGetProperty("rel_error_measured", out var me) && me.ValueKind != JsonValueKind.Null ? me.GetDouble() : null;
                layers.Add(new PlanLayerDocument(
                    Str(l, "name", source),
                    [.. Array(l, "shape", source).Select(e => e.GetInt32())],
                    Get(l, "scheme", source).GetInt32(),
                    Get(l, "groups", source).GetInt32(),
                    Get(l, "rank", source).GetInt32(),
                    Get(l, "params_before", source).GetInt64(),
                    Get(l, "params_after", source).GetInt64(),
                    Get(l, "compressed", source).GetBoolean(),
                    Get(l, "rel_error", source).GetDouble(),
                    measured));
            }
            return new PlanDocument(
                version,
                Str(root, "optimizer", source),
                [.. Array(root, "schemes", source).Select(e => e.GetInt32())],
                Str(root, "error", source),
                keepEl.ValueKind == JsonValueKind.Null ? null : keepEl.GetDouble(),
                Get(budget, "params", source).GetInt64(),
                Get(budget, "params_before", source).GetInt64(),
                Get(budget, "params_after", source).GetInt64(),
                Get(root, "max_rel_error", source).GetDouble(),
                Str(root, "bottleneck", source),
                next,
                nextParams,
                layers);
        }
        catch (JsonException e) { throw Bad(source, FirstLine(e.Message)); }
        catch (InvalidOperationException e) { throw Bad(source, FirstLine(e.Message)); }
        catch (FormatException e) { throw Bad(source, FirstLine(e.Message)); }
    }

    private static JsonElement Get(JsonElement o, string name, string source) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) ? v : throw Bad(source, $"missing field '{name}'");

    private static string Str(JsonElement o, string name, string source) =>
        Get(o, name, source).GetString() ?? throw Bad(source, $"field '{name}' is null");

    private static JsonElement.ArrayEnumerator Array(JsonElement o, string name, string source)
    {
        var v = Get(o, name, source);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw Bad(source, $"field '{name}' is not an array");
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    private static ModelFormatException Bad(string source, string what) => new($"{source}: invalid plan: {what}");
}
