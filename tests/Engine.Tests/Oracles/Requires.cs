using System.Collections.Concurrent;
using System.Diagnostics;
using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Oracles;

/// <summary>
/// The one policy for a missing oracle (issue 17): with the environment variable <c>CI=true</c> the test
/// <b>fails</b> with one line naming the Debian package; outside CI it is skipped with that same line. Only
/// category <c>Gpu</c> may skip in CI (the Cake <c>Test</c> target lists every skipped test and fails a CI run
/// that skipped anything else).
/// </summary>
internal static class Requires
{
    public const string Python3 = "/usr/bin/python3";

    /// <summary>True when the environment variable <c>CI</c> is <c>true</c> (case-insensitive), as CI services set it.</summary>
    public static bool InCi => IsCi(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The rule behind <see cref="InCi"/> for a value of <c>CI</c>.</summary>
    public static bool IsCi(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The line a missing oracle produces; also used by tests of this policy.</summary>
    public static string MissingLine(string package, string what) => $"missing oracle: {what} (install Debian package {package})";

    /// <summary>Fails (CI) or skips (elsewhere) the current test with <see cref="MissingLine"/>.</summary>
    public static void Missing(string package, string what) => Missing(package, what, InCi);

    /// <summary><see cref="Missing(string, string)"/> with the CI decision given (for the policy's own tests).</summary>
    public static void Missing(string package, string what, bool ci)
    {
        var line = MissingLine(package, what);
        if (ci) Assert.Fail(line);
        Assert.Ignore(line);
    }

    /// <summary>LAPACKE (the linear-algebra oracle): <see cref="Oracles.Lapack.LoadError"/> is null.</summary>
    public static void Lapack()
    {
        if (Oracles.Lapack.LoadError is { } error) Missing("liblapacke", error);
    }

    /// <summary>/usr/bin/python3 itself (standard library only).</summary>
    public static void Python()
    {
        if (!File.Exists(Python3)) Missing("python3", $"{Python3} does not exist");
    }

    /// <summary>/usr/bin/python3 that imports numpy.</summary>
    public static void Numpy() => PythonModule("numpy", "python3-numpy");

    /// <summary>/usr/bin/python3 that imports torch (and numpy, which torch's tensor bridge needs).</summary>
    public static void Torch()
    {
        PythonModule("numpy", "python3-numpy");
        PythonModule("torch", "python3-torch");
    }

    /// <summary>The default photograph set of <c>alds eval</c> (Debian's scikit-image data folder).</summary>
    public static void Photographs()
    {
        var missing = EvalImageSet.DefaultNames.Where(n => !File.Exists(Path.Combine(EvalImageSet.DefaultDirectory, n))).ToList();
        if (missing.Count > 0)
            Missing("python3-skimage-lib", $"{missing.Count} photograph(s) absent from {EvalImageSet.DefaultDirectory}, e.g. {missing[0]}");
    }

    private static readonly ConcurrentDictionary<string, bool> Imports = new(StringComparer.Ordinal);

    private static void PythonModule(string module, string package)
    {
        if (!File.Exists(Python3)) { Missing("python3", $"{Python3} does not exist"); return; }
        if (!Imports.GetOrAdd(module, CanImport)) Missing(package, $"{Python3} cannot import {module}");
    }

    private static bool CanImport(string module)
    {
        var psi = new ProcessStartInfo(Python3) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"import {module}");
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = err.Result;
        return p.ExitCode == 0;
    }
}
