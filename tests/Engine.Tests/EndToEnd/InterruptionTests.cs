using System.Runtime.InteropServices;
using Alds.Engine.Tests.Cli;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>SIGINT during <c>alds compress</c>: the process stops promptly, fails, and leaves no output or temporary file.</summary>
public partial class InterruptionTests
{
    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [Test]
    public void CompressSubprocess_SigIntWhileFactorising_ExitsSoonNothingLeft()
    {
        Assume.That(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "POSIX signals");
        ResNet18Workspace.Half(); // a warm analysis cache: the child reaches the factorisation at once
        var outDir = Directory.CreateDirectory(ResNet18Workspace.PathOf("interrupted")).FullName;
        using var child = AldsRunner.Start(outDir, "compress", "--keep", "0.5", "-o", Path.Combine(outDir, "x.safetensors"),
            "--cache", ResNet18Workspace.Cache);

        Assert.That(child.WaitForErrorLine("factorise 1/", TimeSpan.FromSeconds(180)), Is.True,
            $"the child never started factorising\n{child.Err}");
        Thread.Sleep(1000);
        Assume.That(child.Process.HasExited, Is.False, "the child finished before the signal");
        Assert.That(Kill(child.Process.Id, SigInt), Is.EqualTo(0), "kill(2) failed");

        Assert.That(child.Process.WaitForExit(2000), Is.True, "still running 2 s after SIGINT");
        child.Process.WaitForExit(); // drains the stream readers
        Assert.That(child.Process.ExitCode, Is.Not.EqualTo(0), child.Err);
        Assert.That(child.Err, Does.Contain("interrupted"));
        Assert.That(child.Err, Does.Not.Contain("   at "));
        CliAssert.FolderHolds(outDir);
    }
}
