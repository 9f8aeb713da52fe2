namespace Alds.Engine.Tests.Frontends;

/// <summary>
/// Runs the PyTorch front end's own unit tests (frontends/python/test_alds_torch.py), which check
/// <c>load_compressed</c> against an independent numpy factorisation. Without python3 + torch: fails in CI, skips elsewhere (Oracles.Requires).
/// </summary>
public class PythonFrontendTests
{
    [Test]
    public void PythonUnittest_FrontendSuite_Passes()
    {
        Oracles.Requires.Torch();

        var result = PythonRunner.Run(["-m", "unittest", "-v", "test_alds_torch"], PythonRunner.FrontendDir(),
            TimeSpan.FromSeconds(120));


        TestContext.Out.WriteLine(result.Output);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("OK"));
    }
}
