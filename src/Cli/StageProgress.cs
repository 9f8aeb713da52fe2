using System.Diagnostics;
using Spectre.Console;

namespace Alds.Cli;

/// <summary>A layer as the progress display shows it: its shape and the work its stage will cost.</summary>
public sealed record StageLayer(string Shape, long Params, double Work);

/// <summary>
/// Shows a per-layer stage (analysis, factorisation): a progress bar with the time left on a terminal, plain
/// "<c>stage i/n: layer [shape, params] (elapsed, about … left)</c>" lines on stderr when output is redirected,
/// nothing when quiet. Progress is weighed by each layer's estimated work, so one large layer counts as what it
/// costs and the estimate of the time left holds on models whose layers differ by orders of magnitude.
/// </summary>
public static class StageProgress
{
    public static T Run<T>(CliContext context, string stage, bool quiet, IReadOnlyDictionary<string, StageLayer> layers,
        Func<IProgress<(int done, int total, string layer)>?, T> work)
    {
        if (quiet) return work(null);
        var tracker = new WorkTracker(layers);
        if (!context.Interactive)
            return work(new SyncProgress(p =>
            {
                if (p.done >= p.total) return;
                tracker.Start(p.layer);
                context.Error.WriteLine($"{stage} {p.done + 1}/{p.total}: {p.layer}{tracker.Describe(p.layer)} ({tracker.Timing()})");
            }));
        T result = default!;
        context.Console.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(stage, maxValue: Math.Max(1, tracker.Total));
                result = work(new SyncProgress(p =>
                {
                    if (p.done < p.total) tracker.Start(p.layer); else tracker.Finish();
                    task.Value = tracker.Done;
                    task.Description = p.layer.Length > 0 ? $"{stage} {Math.Min(p.done + 1, p.total)}/{p.total}: {Markup.Escape(p.layer + tracker.Describe(p.layer))}" : stage;
                }));
            });
        return result;
    }

    /// <summary>Work done so far: every layer reported before the current one counts as finished.</summary>
    private sealed class WorkTracker(IReadOnlyDictionary<string, StageLayer> layers)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _current;

        public double Total { get; } = layers.Values.Sum(l => l.Work);
        public double Done { get; private set; }

        public void Start(string layer)
        {
            if (_current == layer) return;
            Finish();
            _current = layer;
        }

        public void Finish()
        {
            if (_current is not null && layers.TryGetValue(_current, out var finished)) Done += finished.Work;
            _current = null;
        }

        public string Describe(string layer) =>
            layers.TryGetValue(layer, out var l) ? $" [{l.Shape}, {FormatCount(l.Params)} params]" : "";

        public string Timing()
        {
            var elapsed = _clock.Elapsed;
            if (Done <= 0 || Total <= 0) return $"{Format(elapsed)} elapsed";
            var left = TimeSpan.FromSeconds(elapsed.TotalSeconds * Math.Max(0, Total - Done) / Done);
            return $"{Format(elapsed)} elapsed, about {Format(left)} left";
        }

        private static string Format(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:D2} s" : $"{t.TotalSeconds:F0} s";

        private static string FormatCount(long n) =>
            n >= 1_000_000_000 ? $"{n / 1e9:F2} G" : n >= 1_000_000 ? $"{n / 1e6:F1} M" : n >= 1_000 ? $"{n / 1e3:F1} k" : n.ToString();
    }
}
