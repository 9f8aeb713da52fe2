using System.Diagnostics;
using System.Text;
using Alds.Cli;

namespace Alds.Engine.Tests.Cli;

/// <summary>Runs <c>alds</c> in-process (captured writers) or as a child process of the built <c>alds.dll</c>.</summary>
internal static class AldsRunner
{
    /// <summary>Exit code and the captured stdout / stderr of one run.</summary>
    public readonly record struct Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    /// <summary>Runs <c>alds args</c> in this process, non-interactive.</summary>
    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AldsApp.Run(args, new CliContext(output, error, interactive: false));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>The embedded ResNet18 that <c>alds</c> uses when no MODEL is given.</summary>
    public static string EmbeddedModel => DefaultModel.Path;

    /// <summary>The built <c>alds.dll</c>: beside the test assembly (copied by the project reference), else under src/Cli/bin.</summary>
    public static string AldsDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "alds.dll");
        if (File.Exists(beside)) return beside;
        var root = Frontends.PythonRunner.RepoRoot();
        foreach (var config in new[] { "Debug", "Release" })
        {
            var dll = Path.Combine(root, "src", "Cli", "bin", config, "net10.0", "alds.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("alds.dll not found: build src/Cli");
    }

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH under <c>dotnet test</c>), else <c>dotnet</c> on PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts <c>dotnet alds.dll args</c> with redirected, asynchronously collected stdout and stderr.</summary>
    public static ChildProcess Start(string workDir, params string[] args) => new(workDir, args);

    /// <summary>As <see cref="Start(string, string[])"/>, with extra environment variables for the child.</summary>
    public static ChildProcess Start(string workDir, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        new(workDir, args, environment);

    /// <summary>A running <c>alds</c> child; stderr lines are also queued for <see cref="WaitForErrorLine"/>.</summary>
    public sealed class ChildProcess : IDisposable
    {
        private readonly StringBuilder _out = new(), _err = new();
        private readonly System.Collections.Concurrent.BlockingCollection<string> _errLines = [];

        public ChildProcess(string workDir, string[] args, IReadOnlyDictionary<string, string>? environment = null)
        {
            var psi = new ProcessStartInfo(DotnetHost())
            {
                WorkingDirectory = workDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
            psi.ArgumentList.Add(AldsDll());
            foreach (var a in args) psi.ArgumentList.Add(a);
            Process = new Process { StartInfo = psi };
            Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
            Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_err) _err.AppendLine(e.Data);
                _errLines.Add(e.Data);
            };
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Out { get { lock (_out) return _out.ToString(); } }
        public string Err { get { lock (_err) return _err.ToString(); } }

        /// <summary>Waits for a stderr line containing <paramref name="text"/>; false after <paramref name="timeout"/> or at exit.</summary>
        public bool WaitForErrorLine(string text, TimeSpan timeout)
        {
            var end = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < end)
            {
                if (_errLines.TryTake(out var line, TimeSpan.FromMilliseconds(100)))
                {
                    if (line.Contains(text, StringComparison.Ordinal)) return true;
                }
                else if (Process.HasExited) return false;
            }
            return false;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
            Process.Dispose();
            _errLines.Dispose();
        }
    }
}
