using Alds.Engine.Layers;

namespace Alds.Engine.Costs;

/// <summary>
/// Completes a latency table: measures what the requests ask for and the table lacks (every layer
/// whole, every requested (s, k) at <see cref="LatencyCost.RanksToMeasure"/>, the whole model once, as eval times it, for
/// the rest of the graph and the calibration), keeping every point it already has.
/// </summary>
public static class LatencyTableBuilder
{
    /// <summary>What <paramref name="table"/> lacks for <paramref name="layers"/> and <paramref name="requests"/>: one line, or null when complete.</summary>
    public static string? Missing(LatencyTable? table, IReadOnlyList<LayerSpec> layers, IReadOnlyList<LatencyRequest> requests)
    {
        if (table is null) return "no latency table";
        var wholes = layers.Count(l => table.Layer(l.Name) is null);
        var chains = requests.Count(r => table.Layer(r.Layer)?.Chains.Any(c => c.Scheme == r.Scheme && c.Groups == r.Groups) != true);
        return wholes + chains == 0 ? null : $"the latency table lacks {wholes} layer(s) and {chains} (scheme, k) option chain(s)";
    }

    /// <param name="start">The table so far (from the cache), or null.</param>
    /// <param name="probe">Measures; created only when something is missing.</param>
    /// <param name="progress">Receives (done, total) measurements.</param>
    public static LatencyTable Complete(LatencyTable? start, LatencyEnvironment environment, string modelKey, int block,
        IReadOnlyList<LayerSpec> layers, IReadOnlyList<LatencyRequest> requests, Func<LatencyProbe> probe, InputShapes shapes,
        int modelRuns, IProgress<(int Done, int Total)>? progress, CancellationToken cancel, out int measured)
    {
        measured = 0;
        if (start is not null && Missing(start, layers, requests) is null) return start;
        var byName = start?.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal) ?? new Dictionary<string, LayerLatency>(StringComparer.Ordinal);
        var work = new List<(LayerSpec Layer, LatencyRequest? Chain, int[] Ranks)>();
        foreach (var l in layers)
            if (!byName.ContainsKey(l.Name)) work.Add((l, null, []));
        foreach (var r in requests)
        {
            if (byName.TryGetValue(r.Layer, out var have) && have.Chains.Any(c => c.Scheme == r.Scheme && c.Groups == r.Groups)) continue;
            var layer = layers.FirstOrDefault(l => l.Name == r.Layer) ?? throw new ArgumentException($"request for unknown layer '{r.Layer}'", nameof(requests));
            work.Add((layer, r, LatencyCost.RanksToMeasure(r.MaxRank, block)));
        }
        int total = work.Sum(w => w.Chain is null ? 1 : w.Ranks.Length) + (start is null ? 1 : 0), done = 0;
        using var p = probe();
        var wholes = byName.ToDictionary(kv => kv.Key, kv => kv.Value.WholeNanoseconds, StringComparer.Ordinal);
        var chains = byName.ToDictionary(kv => kv.Key, kv => kv.Value.Chains.ToList(), StringComparer.Ordinal);
        foreach (var (layer, chain, ranks) in work)
        {
            cancel.ThrowIfCancellationRequested();
            if (chain is null)
            {
                wholes[layer.Name] = p.Whole(layer);
                chains.TryAdd(layer.Name, []);
                progress?.Report((++done, total));
                continue;
            }
            var points = new List<LatencyPoint>();
            foreach (int rank in ranks)
            {
                cancel.ThrowIfCancellationRequested();
                points.Add(new LatencyPoint(rank, p.Factored(layer, chain.Scheme, chain.Groups, rank)));
                progress?.Report((++done, total));
            }
            if (!chains.TryGetValue(layer.Name, out var list)) chains[layer.Name] = list = [];
            list.Add(new LatencyChain(chain.Scheme, chain.Groups, points));
        }
        measured = done;
        var table = layers.Select(l => new LayerLatency(l.Name, wholes[l.Name],
            [.. chains[l.Name].OrderBy(c => c.Scheme).ThenBy(c => c.Groups)])).ToArray();
        long rest;
        ModelTiming model;
        if (start is null)
        {
            model = p.Model(shapes, modelRuns);
            // Each layer timed alone carries a session call's overhead, so on a small graph their sum can exceed the
            // whole model's time: the rest is then unknown but not negative (a negative one made plans predict < 0 ms).
            rest = Math.Max(0, model.FastestNanoseconds - table.Sum(l => l.WholeNanoseconds));
            measured = ++done;
            progress?.Report((done, total));
        }
        else (rest, model) = (start.RestNanoseconds, start.Model);
        return new LatencyTable(environment, modelKey, block, rest, table, model);
    }
}
