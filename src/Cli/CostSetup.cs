using System.CommandLine;
using System.Diagnostics;
using Alds.Engine;
using Alds.Engine.Analysis;
using Alds.Engine.Costs;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli;

/// <summary>
/// The cost model of one planning command, in two steps: <see cref="Prepare"/> checks the input and records the
/// layers' shapes before the analysis (a bad input fails before any long work); <see cref="Model"/> builds the cost
/// from the analysis (the latency table measures the options that can enter a plan).
/// </summary>
public sealed class CostSetup
{
    private readonly CliContext _context;
    private readonly CostKind _kind;
    private readonly IReadOnlyList<LayerGeometry>? _geometry;
    private readonly ModelSession? _session;
    private readonly InputShapes _shapes;
    private readonly string? _cache;
    private readonly bool _cacheOnly;

    private CostSetup(CliContext context, CostKind kind, IReadOnlyList<LayerGeometry>? geometry, ModelSession? session,
        InputShapes shapes, string? cache, bool cacheOnly)
    {
        (_context, _kind, _geometry, _session, _shapes, _cache, _cacheOnly) = (context, kind, geometry, session, shapes, cache, cacheOnly);
    }

    /// <summary>Alternated timed runs of each of two sessions of the whole model (the rest of the graph and the calibration), as eval --runs 40.</summary>
    public const int ModelRuns = 40;

    /// <summary>The layers' shapes for a MACs or latency budget (nothing for params).</summary>
    public static CostSetup Prepare(CliContext context, ParseResult parse, CostOptions cost, AnalysisOptions analysis, ModelSession session, CostKind kind)
    {
        if (kind == CostKind.Params) return new CostSetup(context, kind, null, null, InputShapes.None, null, false);
        return new CostSetup(context, kind, cost.ReadGeometry(parse, session, kind), session, cost.ReadInputShapes(parse),
            parse.GetValue(analysis.Cache), parse.GetValue(analysis.CacheOnly));
    }

    /// <summary>The cost model for <paramref name="analysis"/> planned with <paramref name="options"/>.</summary>
    public CostModel Model(ModelAnalysis analysis, PlannerOptions options, bool quiet) => _kind switch
    {
        CostKind.Params => CostModel.Params,
        CostKind.Macs => new MacsCost(_geometry!),
        CostKind.Latency => Latency(analysis, options, quiet),
        _ => throw new InvalidOperationException($"no cost model for {_kind.Name()}"),
    };

    /// <summary>The latency table of this model on this machine: from the cache when it holds one for this environment, else measured (and cached).</summary>
    public LatencyCost Latency(ModelAnalysis analysis, PlannerOptions options, bool quiet)
    {
        var source = (OnnxModelSource)_session!.Source;
        int block = LatencyEnvironment.NchwcBlock;
        var requests = Requests(analysis, options, block);
        var layers = analysis.Layers.Select(l => l.Layer).ToArray();
        var environment = LatencyEnvironment.Current(Environment.ProcessorCount, _geometry!.Count > 0 ? _geometry[0].InputShape[0] : 1);
        string key = LatencyTableCache.ModelKey(_session.Path, _geometry);
        var cache = _cache is null ? null : new LatencyTableCache(_cache);
        string? mismatch = null;
        var table = cache?.TryLoad(key, environment, out mismatch);
        if (LatencyTableBuilder.Missing(table, layers, requests) is string missing)
        {
            if (_cacheOnly)
                throw new ModelFormatException(mismatch is not null
                    ? $"{_cache}: --cache-only: no latency table for this environment; {mismatch}"
                    : $"{_cache}: --cache-only: {missing} for {environment.Machine}, ONNX Runtime {environment.OrtVersion}, {environment.Threads} threads, batch {environment.Batch}");
            if (!quiet)
                _context.Console.MarkupLine(Markup.Escape(mismatch is not null ? $"latency table: {mismatch}; measuring again on this machine" : $"latency table: {missing}; measuring"));
        }
        var clock = Stopwatch.StartNew();
        var progress = quiet ? null : new Reporter(p =>
        {
            if (p.Done == p.Total || p.Done % 100 == 0) _context.Console.MarkupLine($"latency table: {p.Done}/{p.Total} measurements");
        });
        table = LatencyTableBuilder.Complete(table, environment, key, block, layers, requests,
            () => new LatencyProbe(source, _geometry), _shapes, ModelRuns, progress, _context.Cancel, out int measured);
        string? saved = measured > 0 && cache is not null ? cache.Save(table) : null;
        if (!quiet)
        {
            _context.Console.MarkupLine(Markup.Escape(measured > 0
                ? $"latency table: {measured} measurements in {clock.Elapsed.TotalSeconds:F1} s ({environment.Machine}, ONNX Runtime {environment.OrtVersion}, {environment.Threads} threads, batch {environment.Batch}){(saved is null ? "" : $", saved to {saved}")}"
                : $"latency table: from the cache ({environment.Machine}, ONNX Runtime {environment.OrtVersion}, {environment.Threads} threads, batch {environment.Batch})"));
            _context.Console.MarkupLine(Markup.Escape(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"latency table: calibrated ×{table.Scale:F3} to the original's median of {table.Model.Runs} alternated runs ({table.Model.MedianNanoseconds / 1e6:F3} ms; fastest {table.Model.FastestNanoseconds / 1e6:F3} ms, layers + rest {(table.RestNanoseconds + table.Layers.Sum(l => l.WholeNanoseconds)) / 1e6:F3} ms)")));
        }
        return new LatencyCost(table);
    }

    /// <summary>
    /// The (s, k) of every layer that can enter a plan: those on the layer's error/params frontier without alignment,
    /// at the CPU's NCHWc block and at <c>--align</c>, and k = 1 of the baselines' scheme (uniform, energy).
    /// </summary>
    internal static List<LatencyRequest> Requests(ModelAnalysis analysis, PlannerOptions options, int block)
    {
        var chains = new HashSet<(int Layer, int Scheme, int Groups)>();
        IReadOnlyList<int> allowed = [];
        foreach (int align in new[] { 1, block / 2, block, 2 * block, options.Align }.Where(a => a >= 1).Distinct())
        {
            var table = OptionTable.Build(analysis, options.Error, options.Schemes, align);
            allowed = table.Schemes;
            for (int l = 0; l < table.Layers.Count; l++)
                foreach (var o in table.Layers[l].Frontier)
                    if (o.Compressed) chains.Add((l, o.Scheme, o.Groups));
        }
        int baseline = allowed.Contains(FoldScheme.KernelEncode) ? FoldScheme.KernelEncode : allowed[0];
        for (int l = 0; l < analysis.Layers.Count; l++) chains.Add((l, baseline, 1));
        var requests = new List<LatencyRequest>();
        foreach (var (l, s, k) in chains.OrderBy(c => c.Layer).ThenBy(c => c.Scheme).ThenBy(c => c.Groups))
        {
            var la = analysis.Layers[l];
            var option = la.Options.FirstOrDefault(o => o.Scheme == s && o.Groups == k);
            if (option is null || option.MaxRank == 0) continue;
            var spec = la.Layer;
            long perRank = FoldScheme.Params(s, k, 1, spec.Out, spec.In, spec.Kh, spec.Kw);
            int maxRank = (int)Math.Min(option.MaxRank, (spec.Params - 1) / perRank);
            if (maxRank >= 1) requests.Add(new LatencyRequest(spec.Name, s, k, maxRank));
        }
        return requests;
    }

    private sealed class Reporter(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
