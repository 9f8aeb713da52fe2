namespace Alds.Engine.Tests.Frontends;

/// <summary>
/// Runs the PyTorch front end's own unit tests (frontends/python/test_alds_torch.py), which check
/// <c>load_compressed</c> against an independent numpy factorisation. Skipped without python3 + torch.
/// </summary>
public class PythonFrontendTests
{
    [Test]
    public void PythonUnittest_FrontendSuite_Passes()
    {
        Assume.That(File.Exists(PythonRunner.Python), Is.True, $"{PythonRunner.Python} is not installed");

        var result = PythonRunner.Run(["-m", "unittest", "-v", "test_alds_torch"], PythonRunner.FrontendDir(),
            TimeSpan.FromSeconds(120));

        // One interpreter start instead of a separate probe: a missing torch/numpy skips the test.
        Assume.That(PythonRunner.LacksModule(result.Output), Is.False, "python3 lacks torch or numpy");

        TestContext.Out.WriteLine(result.Output);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("OK"));
    }
}
