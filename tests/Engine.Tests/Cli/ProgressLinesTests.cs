using System.Text.RegularExpressions;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// Off a terminal, every layer of the analysis and of the factorisation gets one stderr line with its shape and
/// size, the time elapsed and, once a layer is done, the time left (estimated from the work each layer costs).
/// </summary>
public class ProgressLinesTests
{
    private const string Time = @"(?:\d+ h \d{2} min|\d+ min \d{2} s|\d+ s)";

    [Test]
    public void Compress_EveryLayerReportsSizeAndTimeLeft()
    {
        using var dir = new TempFolder();
        var model = Path.Combine(dir.Path, "small.safetensors");
        SmallModel.Write(model);
        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", Path.Combine(dir.Path, "out.safetensors"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var lines = CliAssert.Lines(r.Err);
        var analysis = lines.Where(l => l.StartsWith("analysis ")).ToArray();
        var factorise = lines.Where(l => l.StartsWith("factorise ")).ToArray();
        Assert.That(analysis, Has.Length.GreaterThan(1), r.ToString());
        Assert.That(factorise, Is.Not.Empty, r.ToString());
        var line = new Regex(@"^(analysis|factorise) (\d+)/(\d+): \S+ \[[0-9×]+, [0-9.]+( [kMG])? params\] \(" + Time + @" elapsed(, about " + Time + @" left)?\)$");
        foreach (var stage in new[] { analysis, factorise })
            for (int i = 0; i < stage.Length; i++)
            {
                var match = line.Match(stage[i]);
                Assert.That(match.Success, Is.True, stage[i]);
                Assert.That(int.Parse(match.Groups[2].Value), Is.EqualTo(i + 1), stage[i]);
                // The first layer has no finished work to extrapolate from; every later one has.
                Assert.That(match.Groups[5].Success, Is.EqualTo(i > 0), stage[i]);
            }
    }
}
