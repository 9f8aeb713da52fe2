using Alds.Engine.Tests.Models;

namespace Alds.Engine.Tests.Fuzzing;

/// <summary>
/// Replays every saved crash (Fuzzing/crashes/TARGET/*) and every seed and corpus file of fuzz/corpus/TARGET
/// through the fuzz harness's targets (fuzz/Alds.Fuzz/Targets.cs, compiled into this project): each must be
/// accepted or refused with a one-line <see cref="ModelFormatException"/>.
/// </summary>
public class FuzzInputReplayTests
{
    private static readonly string[] Targets = ["safetensors", "onnx", "cache"];

    public static IEnumerable<TestCaseData> Inputs()
    {
        foreach (var folder in new[] { "crashes", "corpus" })
            foreach (var target in Targets)
            {
                string dir = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", folder, target);
                if (!Directory.Exists(dir))
                    continue;
                foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                    yield return new TestCaseData(target, Path.GetRelativePath(TestContext.CurrentContext.TestDirectory, file))
                        .SetName($"Replay_{folder}_{target}_{Path.GetFileName(file)}");
            }
    }

    [TestCaseSource(nameof(Inputs))]
    [Category("FuzzReplay")] // reported apart by the Cake Test target: replays of saved inputs, not hand-written checks
    public void Replay_SavedInput_AcceptedOrRefusedOnOneLine(string target, string relativePath)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, relativePath));
        using var dir = new TempDir();
        Alds.Fuzz.Targets.ScratchDirectory = dir.Path;
        // The fuzz harness's own target: accepted, or refused with a one-line ModelFormatException; anything else throws.
        Assert.DoesNotThrow(() => Alds.Fuzz.Targets.All[target](bytes));
    }

    [Test]
    public void Inputs_CorporaCopiedToOutput_EveryTargetHasSeeds()
    {
        foreach (var target in Targets)
        {
            string dir = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "corpus", target);
            Assert.That(Directory.Exists(dir) ? Directory.GetFiles(dir) : [], Is.Not.Empty, target);
        }
    }
}
