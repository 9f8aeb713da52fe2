using System.Text.RegularExpressions;

namespace Alds.Engine.Tests.Cli;

/// <summary>The CLI's error contract: one line <c>alds: …</c> on stderr, no stack trace, nothing left in the output folder.</summary>
internal static partial class CliAssert
{
    /// <summary>
    /// Exactly one non-empty stderr line, starting <c>alds: </c> and containing each of <paramref name="mentions"/>:
    /// the failure was found before any work began.
    /// </summary>
    public static void OneLineError(AldsRunner.Result r, params string[] mentions)
    {
        Assert.That(Lines(r.Err), Has.Length.EqualTo(1), r.ToString());
        ErrorAfterProgress(r, mentions);
    }

    /// <summary>
    /// The last stderr line is the one error line (<c>alds: </c>, containing <paramref name="mentions"/>); every
    /// line before it is a progress line (<c>analysis 3/22: name [shape, params] (elapsed, time left)</c>).
    /// </summary>
    public static void ErrorAfterProgress(AldsRunner.Result r, params string[] mentions)
    {
        var lines = Lines(r.Err);
        Assert.That(lines, Is.Not.Empty, r.ToString());
        Assert.That(lines[^1], Does.StartWith("alds: "), r.ToString());
        foreach (var m in mentions) Assert.That(lines[^1], Does.Contain(m), r.ToString());
        Assert.That(lines[..^1].Where(l => !Progress().IsMatch(l)), Is.Empty, r.ToString());
        NoStackTrace(r);
    }

    /// <summary>A usage error: the first line names the problem; at most a "Try 'alds --help'" hint follows.</summary>
    public static void UsageError(AldsRunner.Result r, string mention)
    {
        Assert.That(r.Code, Is.EqualTo(Alds.Cli.AldsApp.BadUsage), r.ToString());
        var lines = Lines(r.Err);
        Assert.That(lines, Is.Not.Empty, r.ToString());
        Assert.That(lines[0], Does.StartWith("alds: ").And.Contain(mention), r.ToString());
        Assert.That(lines.Skip(1), Is.All.StartsWith("Try 'alds --help'"), r.ToString());
        NoStackTrace(r);
        Assert.That(r.Out, Is.Empty, r.ToString());
    }

    public static void NoStackTrace(AldsRunner.Result r) =>
        Assert.That(r.Err + r.Out, Does.Not.Contain("   at "), r.ToString());

    /// <summary>The folder holds exactly <paramref name="expected"/> (file names), in particular no temporary file.</summary>
    public static void FolderHolds(string dir, params string[] expected) =>
        Assert.That(Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName), Is.EquivalentTo(expected),
            $"contents of {dir}");

    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^(analysis|factorise) \d+/\d+: \S+ \[[0-9×]+, [0-9.]+( [kMG])? params\] \([^)]*elapsed[^)]*\)$")]
    private static partial Regex Progress();
}
