using System.Runtime.InteropServices;
using Alds.Cli;
using Alds.Engine.Caching;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Scale;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>
/// SIGINT and SIGTERM at every stage of <c>alds compress</c> (analysis, factorisation, final write, sharded output,
/// cache write), each stage started by an event the child reports on stderr (<c>ALDS_TEST_STAGE_EVENTS</c>) and held
/// until the signal (<c>ALDS_TEST_PAUSE_AT</c>), never by a sleep. The watchdog is pushed out of reach
/// (<c>ALDS_TEST_WATCHDOG_MS</c>), so the command's own cancellation must stop it: exit 128 + signal, the line
/// <c>alds: interrupted</c> (not the watchdog's), and nothing left behind. The watchdog is tested on its own.
/// No assertion on elapsed time; the waits below are hang guards only.
/// </summary>
[NonParallelizable]
public partial class InterruptionTests
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    public enum Stage { Analysis, Factorise, FinalWrite, ShardedOutput, CacheWrite }

    private TempFolder _folder = null!;

    [SetUp] public void SetUp() => _folder = new TempFolder("alds-interrupt-");
    [TearDown] public void TearDown() => _folder.Dispose();

    /// <summary>The command, the stage-event prefix to hold, the folder that must hold only <c>inputs</c> afterwards, and an optional cache folder.</summary>
    private (string[] args, string pauseAt, string outDir, string[] inputs, string? cache) Scenario(Stage stage)
    {
        var outDir = _folder.Sub("work");
        var model = Path.Combine(outDir, "m.safetensors");
        SmallModel.Write(model);
        var output = Path.Combine(outDir, "x.safetensors");
        switch (stage)
        {
            case Stage.Analysis:
                return (["compress", model, "--keep", "0.5", "-o", output], "analysis", outDir, ["m.safetensors"], null);
            case Stage.Factorise:
                return (["compress", model, "--keep", "0.5", "-o", output], "factorise", outDir, ["m.safetensors"], null);
            case Stage.FinalWrite:
                return (["compress", model, "--keep", "0.5", "-o", output], "write x.safetensors", outDir, ["m.safetensors"], null);
            case Stage.CacheWrite:
            {
                var cache = Path.Combine(outDir, "cache");
                return (["compress", model, "--keep", "0.5", "-o", output, "--cache", cache], "cache ", outDir, ["m.safetensors", "cache"], cache);
            }
            default:
            {
                File.Delete(model);
                var index = ScaleModels.WriteSharded(Path.Combine(outDir, "ckpt"));
                // Held when the second output shard's temporary is created: the first shard is written, not renamed.
                return (["compress", index, "--keep", "0.5", "-o", Path.Combine(outDir, "out")],
                    "write " + ScaleModels.ShardName(1, 3), outDir, ["ckpt"], null);
            }
        }
    }

    private static Dictionary<string, string> Hooks(string pauseAt, bool watchdogOnly = false) => new()
    {
        ["ALDS_TEST_STAGE_EVENTS"] = "1",
        ["ALDS_TEST_PAUSE_AT"] = pauseAt,
        ["ALDS_TEST_WATCHDOG_MS"] = watchdogOnly ? "0" : "600000",
        ["ALDS_TEST_WATCHDOG_ONLY"] = watchdogOnly ? "1" : "0",
    };

    private static AldsRunner.ChildProcess StartAndSignalAt(string workDir, string[] args, string pauseAt, int signal, bool watchdogOnly = false)
    {
        var child = AldsRunner.Start(workDir, Hooks(pauseAt, watchdogOnly), args);
        Assert.That(child.WaitForErrorLine("alds-test-stage: " + pauseAt, HangGuard), Is.True,
            $"the child never reached '{pauseAt}'\n{child.Err}");
        Assert.That(child.Process.HasExited, Is.False, "the stage is held until the signal");
        Assert.That(Kill(child.Process.Id, signal), Is.EqualTo(0), "kill(2) failed");
        Assert.That(child.Process.WaitForExit((int)HangGuard.TotalMilliseconds), Is.True, $"hang guard: still running\n{child.Err}");
        child.Process.WaitForExit(); // drains the stream readers
        return child;
    }

    [Test]
    public void Compress_SignalAtStage_OwnCancellationStopsItExit128PlusSignalNothingLeft(
        [Values] Stage stage, [Values(2, 15)] int signal)
    {
        var (args, pauseAt, outDir, inputs, cache) = Scenario(stage);
        using var child = StartAndSignalAt(outDir, args, pauseAt, signal);

        var lines = CliAssert.Lines(child.Err);
        Assert.That(child.Process.ExitCode, Is.EqualTo(128 + signal), child.Err);
        Assert.That(lines[^1], Is.EqualTo("alds: interrupted"), child.Err);
        Assert.That(child.Err, Does.Not.Contain(Interruption.WatchdogLine), "the watchdog must not be what stopped it");
        Assert.That(child.Err + child.Out, Does.Not.Contain("   at "));
        CliAssert.FolderHolds(outDir, inputs);
        if (cache is not null)
        {
            // Entries written before the signal may stay (each is whole: written to a temporary, then renamed);
            // no temporary, and every entry left is one the cache accepts.
            Assert.That(Directory.GetFiles(cache).Where(f => !f.EndsWith(".spectra", StringComparison.Ordinal)), Is.Empty);
            foreach (var entry in Directory.GetFiles(cache, "*.spectra"))
                Assert.That(CacheEntryFormat.TryDecode(File.ReadAllBytes(entry), UInt128.Parse(Path.GetFileNameWithoutExtension(entry),
                    System.Globalization.NumberStyles.HexNumber)), Is.Not.Null, entry);
        }
    }

    [Test]
    public void Compress_WatchdogOnly_ForcedLineExit128PlusSignalTemporariesRemoved([Values(2, 15)] int signal)
    {
        // The signal does not cancel (ALDS_TEST_WATCHDOG_ONLY) and the held stage never resumes: only the watchdog
        // can end the run — this is what the orderly test above tells apart.
        var (args, _, outDir, inputs, _) = Scenario(Stage.FinalWrite);
        using var child = StartAndSignalAt(outDir, args, "write x.safetensors", signal, watchdogOnly: true);
        Assert.That(child.Process.ExitCode, Is.EqualTo(128 + signal), child.Err);
        Assert.That(CliAssert.Lines(child.Err)[^1], Is.EqualTo(Interruption.WatchdogLine), child.Err);
        CliAssert.FolderHolds(outDir, inputs); // the factor store and the output's temporary were registered: removed
    }
}
