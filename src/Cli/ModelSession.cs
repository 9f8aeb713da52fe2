using System.CommandLine;
using System.Diagnostics;
using Alds.Engine.Analysis;
using Alds.Engine.Caching;
using Alds.Engine.Layers;
using Alds.Engine.Models;

namespace Alds.Cli;

/// <summary>
/// One command's model: opened on first use, and analysed either from the cache's model manifest
/// (no weights read) or by the sweep (which then records the manifest).
/// </summary>
public sealed class ModelSession(string path, LayerFilter filter) : IDisposable
{
    private IModelSource? _source;

    public string Path { get; } = path;

    public IModelSource Source => _source ??= ModelSources.Open(Path, filter);

    public ModelAnalysis Analysis { get; private set; } = null!;
    public long ModelParams { get; private set; }
    public TimeSpan AnalysisTime { get; private set; }
    public bool FromManifest { get; private set; }

    /// <summary>With <c>--calibration</c>: the data-aware analysis (its factorizer and its record for the plan); else null.</summary>
    public CalibratedAnalysis? Calibrated { get; private set; }

    public ModelAnalysis Analyze(CliContext context, ParseResult parse, AnalysisOptions options, bool quiet)
    {
        var clock = Stopwatch.StartNew();
        if (options.Calibration.Read(parse) is { } calibration)
        {
            Calibrated = CalibrationRunner.Run(context, Source, parse, options, calibration, quiet);
            if (Calibrated.Analysis is { } calibrated)
            {
                (Analysis, ModelParams, AnalysisTime) = (calibrated, Source.Tensors.Sum(t => t.ElementCount), clock.Elapsed);
                return Analysis;
            }
        }
        var sweep = options.Read(parse, context);
        // Single-file models only: a sharded checkpoint's index does not cover its shards' bytes.
        UInt128? manifestKey = null;
        if (parse.GetValue(options.Cache) is string cacheDirectory && File.Exists(Path) && !ShardedSafetensorsModelSource.TryFindIndex(Path, out _))
        {
            var cache = new AnalysisCache(cacheDirectory);
            var key = ModelManifest.Key(Path, filter, sweep);
            if (ModelManifest.TryLoad(cache, key, sweep) is var (cached, modelParams))
            {
                // The sweep checks this itself; from the manifest, it is checked before the factorisation reads weights.
                MemoryRequirement.Check(Source, MemoryRequirement.Available());
                (Analysis, ModelParams, AnalysisTime, FromManifest) = (cached, modelParams, clock.Elapsed, true);
                return cached;
            }
            manifestKey = key;
        }
        // The backend's cache is a fresh object: the reads of the failed manifest load must not count twice in the
        // hit/miss line.
        using var backend = options.CreateBackend(parse);
        Analysis = SweepRunner.Run(context, Source, backend, sweep, quiet, out _);
        if (manifestKey is UInt128 manifest && sweep.Shard.Count == 1 && backend is CachedSpectralBackend cachedBackend)
            cachedBackend.SaveManifest(manifest, Source);
        ModelParams = Source.Tensors.Sum(t => t.ElementCount);
        AnalysisTime = clock.Elapsed;
        return Analysis;
    }

    public void Dispose()
    {
        Calibrated?.Moments.Dispose();
        _source?.Dispose();
    }
}
