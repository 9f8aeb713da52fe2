using System.Text.Json;
using Alds.Cli;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// <c>alds bench sweep|plan</c> on a small model: the JSON reports the machine, and the numpy peer's curves agree
/// with ours in the same run (numpy is the independent oracle here). No timed assertions.
/// </summary>
public class BenchCommandTests
{
    private string _dir = null!;
    private string _model = null!;

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        _dir = Directory.CreateTempSubdirectory("alds-bench-").FullName;
        _model = Path.Combine(_dir, "small.safetensors");
        FrontierTestModel.Write(_model);
    }

    [OneTimeTearDown] public void OneTimeTearDown() => Directory.Delete(_dir, recursive: true);

    private static (int code, string output, string error) Run(params string[] args) =>
        AldsRunner.Run(args) is var r ? (r.Code, r.Out, r.Err) : default;

    [Test]
    public void BenchSweep_Json_PeerCurvesAgree()
    {
        Oracles.Requires.Numpy();
        var (code, output, error) = Run("bench", "sweep", _model, "--json");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("bench").GetString(), Is.EqualTo("sweep"));
        Assert.That(root.GetProperty("machine").GetProperty("cpu").GetString(), Is.Not.Empty);
        Assert.That(root.GetProperty("machine").GetProperty("logical_cores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(root.GetProperty("layers").GetInt32(), Is.EqualTo(4));
        Assert.That(root.GetProperty("params").GetInt64(), Is.EqualTo(27_776));
        Assert.That(root.GetProperty("numpy_s").GetDouble(), Is.GreaterThan(0), root.GetProperty("peer").GetString());
        // Gram-route precision (CpuSpectralBackend): ~1e-12 absolute, √ε near zero.
        Assert.That(root.GetProperty("max_abs_curve_diff").GetDouble(), Is.LessThan(1e-7));
        Assert.That(root.GetProperty("speedup_vs_numpy").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public void BenchSweep_BothRoutesAndMaxGroups_CurvesAgreeWithEachPeer()
    {
        Oracles.Requires.Numpy();
        var (code, output, error) = Run("bench", "sweep", _model, "--json", "--peer", "both", "--max-groups", "2");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        var (_, all, _) = Run("bench", "sweep", _model, "--json", "--no-peer");
        using var unbounded = JsonDocument.Parse(all);
        // --max-groups 2 leaves fewer (layer, k) options than every divisor, but at least k = 1 and 2 of each layer.
        Assert.That(root.GetProperty("options").GetInt32(), Is.LessThan(unbounded.RootElement.GetProperty("options").GetInt32()).And.GreaterThanOrEqualTo(4));
        Assert.That(root.GetProperty("numpy_s").GetDouble(), Is.GreaterThan(0), root.GetProperty("peer").GetString());
        Assert.That(root.GetProperty("numpy_gram_s").GetDouble(), Is.GreaterThan(0), root.GetProperty("peer").GetString());
        Assert.That(root.GetProperty("max_abs_curve_diff").GetDouble(), Is.LessThan(1e-7));
        // numpy's Gram route loses small values to √ε·σ₁ (as ours would without float64 Grams): a looser bound.
        Assert.That(root.GetProperty("max_abs_curve_diff_gram").GetDouble(), Is.LessThan(1e-6));
    }

    [Test]
    public void BenchSweep_NoPeer_TableSaysSo()
    {
        var (code, output, error) = Run("bench", "sweep", _model, "--no-peer");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        Assert.That(output, Does.Contain("small.safetensors").And.Contain("peer not requested").And.Contain("logical cores"));
    }

    [Test]
    public void BenchPlan_Json_ExactNoWorseThanPaper()
    {
        var (code, output, error) = Run("bench", "plan", _model, "--json", "--repeat", "1", "--keep", "0.3");
        Assert.That(code, Is.EqualTo(AldsApp.Success), error);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.That(rows.Select(r => r.GetProperty("optimizer").GetString()), Is.EqualTo(new[] { "exact", "paper" }));
        Assert.That(rows[0].GetProperty("max_rel_error").GetDouble(), Is.LessThanOrEqualTo(rows[1].GetProperty("max_rel_error").GetDouble() + 1e-12));
        Assert.That(rows[0].GetProperty("ratio_to_exact").GetDouble(), Is.EqualTo(1));
        Assert.That(rows.All(r => r.GetProperty("params_after").GetInt64() <= (long)(0.3 * 27_776)));
    }

    [TestCase("svd", "--repeat", "0")]
    [TestCase("plan", "--keep", "1.5")]
    [TestCase("sweep", "--peer", "lapack")]
    [TestCase("sweep", "--max-groups", "0")]
    [TestCase("nosuch")]
    public void Bench_BadUsage_ExitTwo(params string[] args)
    {
        var (code, output, _) = Run(["bench", .. args]);
        Assert.That(code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(output, Is.Empty);
    }
}
