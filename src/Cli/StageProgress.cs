using Spectre.Console;

namespace Alds.Cli;

/// <summary>
/// Shows a per-layer stage (analysis, factorisation): a progress bar on a terminal, plain
/// "<c>stage i/n: layer</c>" lines on stderr when output is redirected, nothing when quiet.
/// </summary>
public static class StageProgress
{
    public static T Run<T>(CliContext context, string stage, bool quiet, Func<IProgress<(int done, int total, string layer)>?, T> work)
    {
        if (quiet) return work(null);
        if (!context.Interactive)
            return work(new SyncProgress(p =>
            {
                if (p.done < p.total) context.Error.WriteLine($"{stage} {p.done + 1}/{p.total}: {p.layer}");
            }));
        T result = default!;
        context.Console.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(stage);
                result = work(new SyncProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.total);
                    task.Value = p.done;
                    task.Description = p.layer.Length > 0 ? $"{stage}: {Markup.Escape(p.layer)}" : stage;
                }));
            });
        return result;
    }
}
