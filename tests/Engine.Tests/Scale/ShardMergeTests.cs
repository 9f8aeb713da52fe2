using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Tests.Models;

namespace Alds.Engine.Tests.Scale;

/// <summary>
/// <c>alds analyze --shard I/N --cache DIR</c> on N = 3 "machines", caches merged by copying, then
/// <c>alds plan --cache-only</c>: no recomputation, and the same plan as a direct run (the oracle).
/// </summary>
public class ShardMergeTests
{
    private TempDir _dir = null!;
    private string _model = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _model = ScaleModels.WriteSingle(_dir.File("model.safetensors"));
    }

    [TearDown] public void TearDown() => _dir.Dispose();

    private static (int code, string output, string error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AldsApp.Run(args, new CliContext(output, error, interactive: false));
        return (code, output.ToString(), error.ToString());
    }

    private static string[] LayerNames(string analyzeJson)
    {
        using var doc = JsonDocument.Parse(analyzeJson);
        return [.. doc.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()!)];
    }

    [Test]
    public void ShardThreeWaysThenMerge_PlanHasNoMissesAndEqualsDirectPlan()
    {
        var merged = Directory.CreateDirectory(_dir.File("merged")).FullName;
        var shares = new List<string[]>();
        for (int i = 0; i < 3; i++)
        {
            var cache = _dir.File($"cache{i}");
            var (code, output, error) = Run("analyze", _model, "--schemes", "all", "--shard", $"{i}/3", "--cache", cache, "--json");
            Assert.That(code, Is.EqualTo(AldsApp.Success), error);
            Assert.That(error, Does.Contain(" 0 hits"));
            shares.Add(LayerNames(output));
            foreach (var file in Directory.GetFiles(cache, "*.spectra"))
                File.Copy(file, Path.Combine(merged, Path.GetFileName(file)));
        }
        var (_, all, _) = Run("analyze", _model, "--schemes", "all", "--json");
        var everyLayer = LayerNames(all);
        Assert.That(everyLayer, Has.Length.EqualTo(8));
        Assert.That(shares.SelectMany(s => s), Is.EquivalentTo(everyLayer), "the shares partition the layers");
        Assert.That(shares.Select(s => s.Length), Is.EqualTo(new[] { 3, 3, 2 }), "layer i goes to share i mod 3");

        string[] plan = ["plan", _model, "--schemes", "all", "--keep", "0.4", "--json"];
        var (mergedCode, mergedPlan, mergedError) = Run([.. plan, "--cache", merged, "--cache-only"]);
        Assert.That(mergedCode, Is.EqualTo(AldsApp.Success), mergedError);
        Assert.That(mergedError, Does.Contain(" 0 misses"));
        var (directCode, directPlan, directError) = Run(plan);
        Assert.That(directCode, Is.EqualTo(AldsApp.Success), directError);
        Assert.That(mergedPlan, Is.EqualTo(directPlan));
    }

    [Test]
    public void CacheOnly_MissingShare_ExitOneNamingALayer()
    {
        var cache = _dir.File("partial");
        Assert.That(Run("analyze", _model, "--shard", "0/2", "--cache", cache, "--json").code, Is.EqualTo(AldsApp.Success));
        var (code, output, error) = Run("plan", _model, "--keep", "0.5", "--cache", cache, "--cache-only", "--json");
        Assert.That(code, Is.EqualTo(AldsApp.Failure));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.Contain("--cache-only").And.Contain("layer '"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one error line");
    }

    [TestCase("3/3")]
    [TestCase("-1/3")]
    [TestCase("1/0")]
    [TestCase("a/b")]
    [TestCase("1")]
    [TestCase("1/2/3")]
    [TestCase(" 1/2")]
    public void Analyze_BadShard_ExitTwo(string shard)
    {
        var (code, _, error) = Run("analyze", _model, "--shard", shard, "--cache", _dir.File("c"));
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage), error);
        Assert.That(error, Does.Contain("--shard"));
    }

    [Test]
    public void Analyze_ShardWithoutCache_ExitTwo()
    {
        var (code, _, error) = Run("analyze", _model, "--shard", "0/2");
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(error, Does.Contain("--cache"));
    }

    [Test]
    public void Plan_CacheOnlyWithoutCache_ExitTwo() =>
        Assert.That(Run("plan", _model, "--keep", "0.5", "--cache-only").code, Is.EqualTo(AldsApp.BadUsage));

    [Test]
    public void Plan_Shard_IsNotAnOption() =>
        Assert.That(Run("plan", _model, "--keep", "0.5", "--shard", "0/2", "--cache", _dir.File("c")).code, Is.EqualTo(AldsApp.BadUsage));
}
