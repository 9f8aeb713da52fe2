using System.Diagnostics;
using Alds.Engine.Analysis;
using Alds.Engine.Models;

namespace Alds.Cli;

/// <summary>Runs the spectral sweep with a progress bar on a terminal, plain lines on stderr otherwise.</summary>
public static class SweepRunner
{
    public static ModelAnalysis Run(CliContext context, IModelSource source, ISpectralBackend backend, SweepOptions options, bool quiet, out TimeSpan elapsed)
    {
        var clock = Stopwatch.StartNew();
        MemoryRequirement.Check(source, MemoryRequirement.Available()); // before any weight is read
        var layers = source.Layers.ToDictionary(l => l.Name,
            l => new StageLayer(string.Join("×", l.Shape), l.Params, SweepWork.Estimate(l, options)));
        var analysis = StageProgress.Run(context, "analysis", quiet, layers, progress => SpectrumSweep.Run(source, backend, options, progress));
        elapsed = clock.Elapsed;
        if (backend is Engine.Caching.CachedSpectralBackend { Cache: var cache })
            context.Error.WriteLine($"cache {cache.Directory}: {cache.Hits} hits, {cache.Misses} misses" +
                (cache.Rejected > 0 ? $" ({cache.Rejected} rejected as stale or corrupt)" : ""));
        return analysis;
    }
}
