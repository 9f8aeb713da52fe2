using System.Diagnostics;
using Alds.Engine.Analysis;
using Alds.Engine.Models;
using Spectre.Console;

namespace Alds.Cli;

/// <summary>Runs the spectral sweep with a progress bar on a terminal, plain lines on stderr otherwise.</summary>
public static class SweepRunner
{
    public static ModelAnalysis Run(CliContext context, IModelSource source, ISpectralBackend backend, SweepOptions options, bool quiet, out TimeSpan elapsed)
    {
        var clock = Stopwatch.StartNew();
        ModelAnalysis analysis;
        if (context.Interactive && !quiet)
        {
            analysis = null!;
            context.Console.Progress().AutoClear(true).Columns(
                    new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("analysis", maxValue: Math.Max(1, source.Layers.Count));
                    analysis = SpectrumSweep.Run(source, backend, options, new SyncProgress(p =>
                    {
                        task.Value = p.done;
                        task.Description = p.layer.Length > 0 ? $"analysis: {Markup.Escape(p.layer)}" : "analysis";
                    }));
                });
        }
        else
        {
            var progress = quiet ? null : new SyncProgress(p =>
            {
                if (p.done < p.total) context.Error.WriteLine($"analysis {p.done + 1}/{p.total}: {p.layer}");
            });
            analysis = SpectrumSweep.Run(source, backend, options, progress);
        }
        elapsed = clock.Elapsed;
        if (options.Cache is { } cache)
            context.Error.WriteLine($"cache {cache.Directory}: {cache.Hits} hits, {cache.Misses} misses" +
                (cache.Rejected > 0 ? $" ({cache.Rejected} rejected as stale or corrupt)" : ""));
        return analysis;
    }
}
