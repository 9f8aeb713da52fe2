using System.Diagnostics;
using System.Text.Json;

namespace Alds.Peers;

/// <summary>
/// BENCHMARK-ONLY: runs a numpy peer script of <c>bench/peers/</c> with <c>/usr/bin/python3</c> and parses the
/// one JSON object it prints. Optional: <see cref="Find"/> returns null with a reason when python, numpy or
/// the script is missing.
/// </summary>
public sealed class PythonPeer
{
    private PythonPeer(string python, string script) { Python = python; Script = script; }

    public string Python { get; }
    public string Script { get; }

    /// <summary>Locates <paramref name="scriptName"/> in a <c>bench/peers</c> folder above the executable or the current directory.</summary>
    public static PythonPeer? Find(string scriptName, out string? reason)
    {
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "peers", scriptName);
                if (File.Exists(candidate)) { reason = null; return new PythonPeer(python, candidate); }
            }
        }
        reason = $"numpy peer skipped: bench/peers/{scriptName} not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}";
        return null;
    }

    /// <summary>Runs the script with <paramref name="arguments"/>; the parsed JSON of its stdout, or an exception naming stderr's last line.</summary>
    public JsonDocument Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancel = default)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Python}");
        using var kill = cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        cancel.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            var last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            throw new InvalidOperationException($"{Path.GetFileName(Script)} exited with {process.ExitCode}: {last.Trim()}");
        }
        return JsonDocument.Parse(stdout);
    }
}
