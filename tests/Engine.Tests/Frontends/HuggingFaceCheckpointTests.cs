using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Tests.Cli;

namespace Alds.Engine.Tests.Frontends;

/// <summary>
/// Hugging Face checkpoints end to end: BERT-like and Llama-like module trees built from torch.nn with the usual
/// names (frontends/python/hf_modules.py), saved as safetensors with a config.json; <c>alds compress</c> names their
/// roles and leaves the tied lm_head alone; the PyTorch front end rebuilds both trees and their forward passes match
/// the same trees with Ŵ (from the factors, in numpy). Skipped without python3 + torch.
/// </summary>
[NonParallelizable]
public class HuggingFaceCheckpointTests
{
    [Test]
    public void CompressAndLoad_BertAndLlamaTrees_ForwardMatchesWHatAndTiedHeadKept()
    {
        Oracles.Requires.Torch();
        using var folder = new TempFolder("alds-hf-");
        var make = PythonRunner.Run(["hf_modules.py", "make", folder.Path], PythonRunner.FrontendDir(), TimeSpan.FromMinutes(2));
        Assert.That(make.ExitCode, Is.Zero, make.Output);

        foreach (var name in new[] { "bert", "llama" })
        {
            var model = Path.Combine(folder.Path, name, "model.safetensors");
            var inspect = AldsRunner.Run("inspect", model, "--json");
            Assert.That(inspect.Code, Is.EqualTo(AldsApp.Success), inspect.ToString());
            var layers = JsonDocument.Parse(inspect.Out).RootElement.GetProperty("layers").EnumerateArray().ToList();
            Assert.That(layers.All(l => l.TryGetProperty("role", out _)), Is.True, $"{name}: every layer has a role\n{inspect.Out}");
            Assert.That(layers.Select(l => l.GetProperty("name").GetString()), Does.Not.Contain("lm_head"), $"{name}: tied head is not a layer");

            var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", Path.Combine(folder.Path, name, "out.safetensors"), "--json");
            Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        }
        var check = PythonRunner.Run(["hf_modules.py", "check", folder.Path], PythonRunner.FrontendDir(), TimeSpan.FromMinutes(2));
        TestContext.Out.WriteLine(check.Output);
        Assert.That(check.ExitCode, Is.Zero, check.Output);
        Assert.That(check.Output, Does.Contain("ok   bert").And.Contain("ok   llama"));
    }
}
