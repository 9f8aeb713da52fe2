using System.Diagnostics;
using System.Text;

namespace Alds.Engine.Tests.Frontends;

/// <summary>Runs Debian's <c>/usr/bin/python3</c> for the front-end tests and finds the repository root.</summary>
internal static class PythonRunner
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The result of one run: exit code (-1 on timeout) and stdout + stderr interleaved.</summary>
    public readonly record struct Result(int ExitCode, string Output);

    /// <summary>The folder holding <c>Engine.sln</c>, walking up from the test assembly's folder.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no Engine.sln above {TestContext.CurrentContext.TestDirectory}");
    }

    /// <summary>The front end's folder, <c>frontends/python</c>.</summary>
    public static string FrontendDir() => Path.Combine(RepoRoot(), "frontends", "python");

    /// <summary>Runs python3 with <paramref name="args"/> in <paramref name="workDir"/>; kills it after <paramref name="timeout"/>.</summary>
    public static Result Run(IEnumerable<string> args, string workDir, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Python)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // No __pycache__ in the source tree; one BLAS/OpenMP thread on the shared CI cores.
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["OPENBLAS_NUM_THREADS"] = "1";

        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            lock (output) return new Result(-1, output + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }
        p.WaitForExit(); // drains the asynchronous readers
        lock (output) return new Result(p.ExitCode, output.ToString());
    }
}
