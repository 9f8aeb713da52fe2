namespace Alds.Cli;

/// <summary>Reports synchronously, on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class SyncProgress(Action<(int done, int total, string layer)> report) : IProgress<(int done, int total, string layer)>
{
    public void Report((int done, int total, string layer) value) => report(value);
}
