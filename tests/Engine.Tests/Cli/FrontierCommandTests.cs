using System.Globalization;
using Alds.Cli;

namespace Alds.Engine.Tests.Cli;

/// <summary>The <c>alds frontier</c> command line on a small seeded safetensors model.</summary>
public class FrontierCommandTests
{
    private string _dir = null!;
    private string _model = null!;

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        _dir = Directory.CreateTempSubdirectory("alds-frontier-").FullName;
        _model = Path.Combine(_dir, "small.safetensors");
        FrontierTestModel.Write(_model);
    }

    [OneTimeTearDown] public void OneTimeTearDown() => Directory.Delete(_dir, recursive: true);

    private static (int code, string output, string error) Run(params string[] args) =>
        AldsRunner.Run(args) is var r ? (r.Code, r.Out, r.Err) : default;

    private static double Cell(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);

    [Test]
    public void Frontier_CsvAndPng_ExactIsLowestAndMonotone()
    {
        string csv = Path.Combine(_dir, "f.csv"), png = Path.Combine(_dir, "f.png");
        var (code, _, error) = Run("frontier", _model, "--csv", csv, "--png", png);
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);

        var lines = File.ReadAllLines(csv);
        Assert.That(lines[0], Is.EqualTo("keep,exact,paper,k1,uniform,energy"));
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(Cell).ToArray()).ToArray();
        Assert.That(rows, Has.Length.GreaterThanOrEqualTo(50));
        Assert.That(rows.All(r => r.Length == 6));
        Assert.That(rows[0][0], Is.EqualTo(0.05).Within(1e-12));
        Assert.That(rows[^1][0], Is.EqualTo(0.95).Within(1e-12));
        for (int p = 0; p < rows.Length; p++)
        {
            double exact = rows[p][1];
            // Rank 1 of every layer is 2.6% of the model: every keep from 0.05 is reachable by the exact optimizer.
            Assert.That(double.IsFinite(exact), $"exact must reach keep {rows[p][0]}");
            for (int o = 2; o < 6; o++)
                if (double.IsFinite(rows[p][o]))
                    Assert.That(exact, Is.LessThanOrEqualTo(rows[p][o] + 1e-12), $"keep {rows[p][0]}, column {lines[0].Split(',')[o]}");
            if (p > 0)
            {
                Assert.That(rows[p][0], Is.GreaterThan(rows[p - 1][0]));
                Assert.That(exact, Is.LessThanOrEqualTo(rows[p - 1][1] + 1e-12), $"exact rises at keep {rows[p][0]}");
            }
        }

        var bytes = File.ReadAllBytes(png);
        Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.That(Directory.GetFiles(_dir, "*.tmp"), Is.Empty, "no temporary file is left behind");
    }

    [Test]
    public void Frontier_NoFiles_PrintsTable()
    {
        var (code, output, error) = Run("frontier", _model, "--points", "5", "--error", "rss", "--log-y");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        Assert.That(output, Does.Contain("exact").And.Contain("paper").And.Contain("k1").And.Contain("uniform").And.Contain("energy"));
        Assert.That(output, Does.Contain("0.05").And.Contain("0.95"));
    }

    [TestCase("1")]
    [TestCase("0")]
    [TestCase("-3")]
    [TestCase("many")]
    public void Frontier_BadPoints_BadUsage(string points)
    {
        string csv = Path.Combine(_dir, $"bad{points}.csv");
        var (code, output, error) = Run("frontier", _model, "--points", points, "--csv", csv);
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(error, Does.Contain("--points").Or.Contain(points));
        Assert.That(File.Exists(csv), Is.False);
        Assert.That(output, Is.Empty);
    }

    [Test]
    public void Frontier_MissingOutputFolder_BadUsageAndNoFile()
    {
        string csv = Path.Combine(_dir, "ok.csv"), png = Path.Combine(_dir, "missing", "f.png");
        var (code, _, error) = Run("frontier", _model, "--points", "3", "--csv", csv, "--png", png);
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(error, Does.Contain("--png").And.Contain("does not exist"));
        Assert.That(File.Exists(csv), Is.False, "no output at all when one cannot be written");
    }

    [Test]
    public void Frontier_MissingModel_FailureWithOneLine()
    {
        var (code, _, error) = Run("frontier", Path.Combine(_dir, "nope.safetensors"), "--points", "3");
        Assert.That(code, Is.EqualTo(AldsApp.Failure));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }
}
