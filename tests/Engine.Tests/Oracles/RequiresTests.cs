using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Alds.Engine.Tests.Oracles;

/// <summary>The missing-oracle policy itself: in CI a missing oracle fails the test, elsewhere it skips; one line naming the package.</summary>
public class RequiresTests
{
    /// <summary>Runs <paramref name="body"/> as if it were a test of its own, and returns that test's result.</summary>
    private static (ResultState state, string message) Outcome(Action body)
    {
        using var isolated = new TestExecutionContext.IsolatedContext();
        try { body(); }
        catch (ResultStateException e) { TestExecutionContext.CurrentContext.CurrentResult.SetResult(e.ResultState, e.Message); }
        var result = TestExecutionContext.CurrentContext.CurrentResult;
        return (result.ResultState, result.Message);
    }

    [Test]
    public void Missing_InCi_FailsWithOneLineNamingThePackage()
    {
        var (state, message) = Outcome(() => Requires.Missing("liblapacke", "cannot load LAPACKE from /x", ci: true));
        Assert.That(state.Status, Is.EqualTo(TestStatus.Failed));
        Assert.That(message.Trim(), Is.EqualTo("missing oracle: cannot load LAPACKE from /x (install Debian package liblapacke)"));
    }

    [Test]
    public void Missing_OutsideCi_SkipsWithTheSameLine()
    {
        var (state, message) = Outcome(() => Requires.Missing("python3-torch", "/usr/bin/python3 cannot import torch", ci: false));
        Assert.That(state.Status, Is.EqualTo(TestStatus.Skipped));
        Assert.That(message.Trim(), Is.EqualTo("missing oracle: /usr/bin/python3 cannot import torch (install Debian package python3-torch)"));
    }

    [TestCase("true", true)]
    [TestCase("TRUE", true)]
    [TestCase(" true ", true)]
    [TestCase("false", false)]
    [TestCase("1", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsCi_ValueOfCi_TrueOnlyForTrue(string? value, bool expected) => Assert.That(Requires.IsCi(value), Is.EqualTo(expected));

    [Test]
    public void Lapack_AbsentLibrary_ReasonNamesThePath()
    {
        // The loader's own answer for a path that cannot exist (a child of a regular file): one line, the path named.
        var error = Lapack.TryLoad("/etc/hostname/liblapacke.so.3");
        Assert.That(error, Is.EqualTo("cannot load LAPACKE from /etc/hostname/liblapacke.so.3"));
        Assert.That(Lapack.TryLoad(Lapack.DefaultLibrary), Is.Null.Or.StartsWith("cannot load"), "Debian's path: loads, or says why not");
    }
}
