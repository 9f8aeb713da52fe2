using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Costs;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Tests.Cli;
using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.Costs;

public class LatencyCostTests
{
    private static readonly LatencyEnvironment Here = new("test CPU; 2 logical CPUs; AVX2", "1.31.1", 2, 1);
    private static readonly LayerSpec Conv = new("conv", LayerKind.Conv, 32, 32, 3, 3, "conv.weight", null);

    private static LatencyTable Table(params LatencyChain[] chains) =>
        new(Here, "model", 8, 1000, [new LayerLatency("conv", 50_000, chains)]);

    [Test]
    public void Factored_LinearInEachClass_InterpolatesExactlyAndKeepsClassesApart()
    {
        // unaligned ranks cost 1000·j + 7000, aligned (multiples of 8) 400·j + 2000
        var unaligned = new[] { 1, 7, 15, 23 }.Select(j => new LatencyPoint(j, 1000L * j + 7000));
        var aligned = new[] { 8, 24 }.Select(j => new LatencyPoint(j, 400L * j + 2000));
        var cost = new LatencyCost(Table(new LatencyChain(0, 2, [.. unaligned.Concat(aligned).OrderBy(p => p.Rank)])));
        for (int j = 1; j <= 23; j++)
        {
            long expected = j % 8 == 0 ? 400L * j + 2000 : 1000L * j + 7000;
            Assert.That(cost.Factored(Conv, 0, 2, j), Is.EqualTo(expected), $"rank {j}");
        }
        Assert.That(cost.Factored(Conv, 0, 2, 30), Is.EqualTo(1000L * 23 + 7000), "beyond the measured range: the nearest point of its class");
        Assert.That(cost.Factored(Conv, 0, 4, 8), Is.Null, "an (s, k) not measured is not covered");
        Assert.That(cost.Whole(Conv), Is.EqualTo(50_000));
        Assert.That(cost.Fixed, Is.EqualTo(1000));
    }

    [TestCase(100, 8)]
    [TestCase(64, 8)]
    [TestCase(7, 8)]
    [TestCase(1, 8)]
    [TestCase(50, 16)]
    [TestCase(30, 1)]
    public void RanksToMeasure_CoversBothEndsOfEachClass(int maxRank, int block)
    {
        var ranks = LatencyCost.RanksToMeasure(maxRank, block);
        Assert.That(ranks, Is.Ordered.And.Unique);
        Assert.That(ranks.All(r => r >= 1 && r <= maxRank));
        Assert.That(ranks, Does.Contain(1));
        var unaligned = Enumerable.Range(1, maxRank).Where(r => block <= 1 || r % block != 0).ToArray();
        var alignedRanks = block <= 1 ? [] : Enumerable.Range(1, maxRank).Where(r => r % block == 0).ToArray();
        Assert.That(ranks, Does.Contain(unaligned.Max()));
        if (alignedRanks.Length > 0) Assert.That(ranks, Does.Contain(alignedRanks.Min()).And.Contain(alignedRanks.Max()));
        Assert.That(ranks.Length, Is.LessThanOrEqualTo(14));
    }

    [Test]
    public void Table_JsonRoundTrip_SameNumbers()
    {
        var table = Table(new LatencyChain(0, 2, [new(1, 10), new(8, 20)]), new LatencyChain(3, 1, [new(4, 33)]));
        var back = LatencyTable.TryParse(table.ToJson())!;
        Assert.That(back.Environment, Is.EqualTo(Here));
        Assert.That(back.RestNanoseconds, Is.EqualTo(1000));
        Assert.That(back.Block, Is.EqualTo(8));
        Assert.That(back.Layers[0].Chains.Select(c => (c.Scheme, c.Groups, c.Points.Count)), Is.EqualTo(new[] { (0, 2, 2), (3, 1, 1) }));
        Assert.That(back.Layers[0].Chains[0].Points[1], Is.EqualTo(new LatencyPoint(8, 20)));
        Assert.That(LatencyTable.TryParse("{\"method\":1}"u8.ToArray()), Is.Null);
    }

    [Test]
    public void Cache_OtherEnvironment_NotReusedAndMismatchNamed()
    {
        using var folder = new TempFolder();
        var cache = new LatencyTableCache(folder.Path);
        cache.Save(Table() with { ModelKey = "abc" });
        Assert.That(cache.TryLoad("abc", Here, out var none), Is.Not.Null);
        Assert.That(none, Is.Null);
        var other = Here with { Threads = 4, OrtVersion = "1.20.0" };
        Assert.That(cache.TryLoad("abc", other, out var mismatch), Is.Null);
        Assert.That(mismatch, Does.Contain("ONNX Runtime 1.31.1 (here 1.20.0)").And.Contain("2 threads (here 4)"));
        Assert.That(cache.TryLoad("other-model", other, out var unrelated), Is.Null);
        Assert.That(unrelated, Is.Null);
    }

    /// <summary>x [1,16,12,12] → Conv 16×16×3×3 (pad 1) → Relu → Conv 16×16×3×3 (stride 2): small enough to measure in seconds.</summary>
    private static void WriteTinyConvNet(string path)
    {
        var rng = new Random(5);
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value("x", [1, 16, 12, 12]));
        graph.Output.Add(Value("y", [1, 16, 6, 6]));
        foreach (var name in new[] { "w1", "w2" })
        {
            var w = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            w.Dims.AddRange([16, 16, 3, 3]);
            for (int i = 0; i < 16 * 16 * 9; i++) w.FloatData.Add((float)(rng.NextDouble() - 0.5));
            graph.Initializer.Add(w);
        }
        var c1 = new NodeProto { OpType = "Conv", Name = "c1" };
        c1.Input.AddRange(["x", "w1"]);
        c1.Output.Add("h");
        c1.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        var relu = new NodeProto { OpType = "Relu", Name = "r" };
        relu.Input.Add("h");
        relu.Output.Add("hr");
        var c2 = new NodeProto { OpType = "Conv", Name = "c2" };
        c2.Input.AddRange(["hr", "w2"]);
        c2.Output.Add("y");
        c2.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        c2.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        graph.Node.AddRange([c1, relu, c2]);
        var model = new ModelProto { IrVersion = 7, ProducerName = "alds-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());

        static ValueInfoProto Value(string name, long[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            };
        }
    }

    [Test]
    public void Plan_LatencyBudget_MeasuresCachesAndRespectsTheBudget()
    {
        using var folder = new TempFolder();
        var model = folder["tiny.onnx"];
        WriteTinyConvNet(model);
        var cacheDir = folder["cache"];
        // keep 1: reachable whatever the timings say (on this tiny graph a factored node is not always faster)
        var first = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--cache", cacheDir, "--json");
        Assert.That(first.Code, Is.EqualTo(AldsApp.Success), first.ToString());
        var budget = JsonDocument.Parse(first.Out).RootElement.GetProperty("budget");
        Assert.That(budget.GetProperty("cost").GetString(), Is.EqualTo("latency"));
        Assert.That(budget.GetProperty("latency_ms_after").GetDouble(), Is.LessThanOrEqualTo(budget.GetProperty("latency_ms").GetDouble()));
        double rest = budget.GetProperty("latency_ms_rest").GetDouble();
        Assert.That(budget.GetProperty("latency_ms").GetDouble(),
            Is.EqualTo(1.0 * (budget.GetProperty("latency_ms_before").GetDouble() - rest) + rest).Within(1e-6), "keep is a ratio of the layers' latency");
        Assert.That(rest, Is.GreaterThanOrEqualTo(0), "the rest of the graph is never negative");
        var tables = Directory.GetFiles(Path.Combine(cacheDir, "latency"), "*.json");
        Assert.That(tables, Has.Length.EqualTo(1));

        // the second run reads the table (--cache-only would fail if anything had to be measured), and plans the same
        var second = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--cache", cacheDir, "--cache-only", "--json");
        Assert.That(second.Code, Is.EqualTo(AldsApp.Success), second.ToString());
        Assert.That(second.Out, Is.EqualTo(first.Out));

        // below the smallest plan: refused, naming the smallest reachable latency
        var low = AldsRunner.Run("plan", model, "--latency-ms", "0.000001", "--cache", cacheDir, "--cache-only");
        Assert.That(low.Code, Is.EqualTo(AldsApp.Failure), low.ToString());
        Assert.That(low.Err, Does.Contain("the smallest reachable latency is").And.Contain(" ms"));

        // a table from another environment is never reused: --cache-only names the difference
        var table = LatencyTable.TryParse(File.ReadAllBytes(tables[0]))!;
        File.Delete(tables[0]);
        new LatencyTableCache(cacheDir).Save(table with { Environment = table.Environment with { Threads = table.Environment.Threads + 7 } });
        var stale = AldsRunner.Run("plan", model, "--keep", "0.95", "--budget", "latency", "--cache", cacheDir, "--cache-only");
        Assert.That(stale.Code, Is.EqualTo(AldsApp.Failure), stale.ToString());
        Assert.That(stale.Err, Does.Contain("--cache-only").And.Contain($"{table.Environment.Threads + 7} threads (here {table.Environment.Threads})"));
        Assert.That(stale.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void Frontier_LatencyBudgetMeasure_CsvOfPredictedLatencyAndMeasuredPoints()
    {
        using var folder = new TempFolder();
        var model = folder["tiny.onnx"];
        WriteTinyConvNet(model);
        var r = AldsRunner.Run("frontier", model, "--budget", "latency", "--points", "5", "--measure", "--cache", folder["cache"],
            "--csv", folder["f.csv"], "--png", folder["f.png"]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        var lines = File.ReadAllLines(folder["f.csv"]);
        Assert.That(lines[0], Is.EqualTo("keep,exact,k1,uniform,energy,exact_latency_ms,k1_latency_ms,uniform_latency_ms,energy_latency_ms"));
        Assert.That(lines, Has.Length.EqualTo(6));
        Assert.That(r.Out, Does.Contain("measured: exact at keep"));
        Assert.That(new FileInfo(folder["f.png"]).Length, Is.GreaterThan(1000));
        var bad = AldsRunner.Run("frontier", model, "--measure");
        Assert.That(bad.Code, Is.EqualTo(AldsApp.BadUsage));
        Assert.That(bad.Err, Does.Contain("--measure needs --budget latency"));
    }

    [Test]
    public void Plan_LatencyAlignAuto_WithinBudgetAndNoWorseThanAlignOne()
    {
        using var folder = new TempFolder();
        var model = folder["tiny.onnx"];
        WriteTinyConvNet(model);
        // keep 1: reachable whatever the timings say (on this tiny graph a factored node is not always faster)
        var one = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--cache", folder["cache"], "--json");
        var auto = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--align", "auto", "--cache", folder["cache"], "--cache-only", "--json");
        Assert.That(one.Code, Is.EqualTo(AldsApp.Success), one.ToString());
        Assert.That(auto.Code, Is.EqualTo(AldsApp.Success), auto.ToString());
        double e1 = JsonDocument.Parse(one.Out).RootElement.GetProperty("max_rel_error").GetDouble();
        var a = JsonDocument.Parse(auto.Out).RootElement;
        Assert.That(a.GetProperty("max_rel_error").GetDouble(), Is.LessThanOrEqualTo(e1), "align 1 is one of auto's candidates");
        Assert.That(a.GetProperty("budget").GetProperty("latency_ms_after").GetDouble(),
            Is.LessThanOrEqualTo(a.GetProperty("budget").GetProperty("latency_ms").GetDouble()));
    }

    [Test]
    public void Planner_LatencyCost_NeverChoosesAnUncoveredOption()
    {
        var a = Planning.PlanningInstances.Small(11);
        var layers = a.Layers.Select(l => new LayerLatency(l.Layer.Name, 1000,
            [new LatencyChain(l.Options[0].Scheme, l.Options[0].Groups, [new LatencyPoint(1, 100), new LatencyPoint(2, 300)])])).ToArray();
        var cost = new LatencyCost(new LatencyTable(Here, "m", 1, 50, layers));
        var plan = Planner.Create(a, Budget.FromCost(50 + layers.Length * 400, CostKind.Latency), new PlannerOptions { Cost = cost });
        foreach (var (choice, la) in plan.Layers.Zip(a.Layers))
            if (choice.Compressed)
                Assert.That((choice.Scheme, choice.Groups), Is.EqualTo((la.Options[0].Scheme, la.Options[0].Groups)));
        Assert.That(plan.Cost!.TotalAfter, Is.LessThanOrEqualTo(50 + layers.Length * 400));
    }
}
