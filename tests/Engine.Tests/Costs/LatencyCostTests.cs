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

    /// <summary>Calibrated ×1: the original's median equals the layer plus the rest.</summary>
    private static LatencyTable Table(params LatencyChain[] chains) =>
        new(Here, "model", 8, 1000, [new LayerLatency("conv", 50_000, chains)], new ModelTiming(40_000, 51_000, 80));

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
        Assert.That(back.Model, Is.EqualTo(new ModelTiming(40_000, 51_000, 80)));
        Assert.That(back.Scale, Is.EqualTo(1.0));
        Assert.That(LatencyTable.TryParse("{\"method\":1}"u8.ToArray()), Is.Null);
        Assert.That(LatencyTable.TryParse(System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(table.ToJson()).Replace("\"method\": 3", "\"method\": 2"))),
            Is.Null, "a table of the previous method (uncalibrated) is measured again");
    }

    [Test]
    public void Calibration_ScalesEveryEntryAndPredictsTheOriginalAtItsMedian()
    {
        var chain = new LatencyChain(0, 2, [new(1, 8000), new(7, 20_000), new(8, 12_000), new(16, 30_000)]);
        var plain = new LatencyCost(Table(chain));
        // the original measured 2.5 × the table's own sum (51,000 ns)
        var calibrated = new LatencyCost(Table(chain) with { Model = new ModelTiming(60_000, 127_500, 80) });
        Assert.That(calibrated.Table.Scale, Is.EqualTo(2.5));
        Assert.That(calibrated.Whole(Conv) + calibrated.Fixed, Is.EqualTo(127_500), "the original is predicted at its measured median");
        Assert.That(calibrated.Fixed, Is.EqualTo(2500));
        for (int j = 1; j <= 16; j++)
        {
            // the interpolation is scaled before rounding: within one nanosecond of 2.5 × the uncalibrated value
            Assert.That((double)calibrated.Factored(Conv, 0, 2, j)!.Value, Is.EqualTo(2.5 * plain.Factored(Conv, 0, 2, j)!.Value).Within(1.5), $"rank {j}");
        }
        Assert.That(calibrated.Factored(Conv, 0, 2, 4), Is.EqualTo((long)Math.Round(2.5 * (8000 + 3.0 / 6 * 12_000))));
    }

    [TestCase(11, 0.95)]
    [TestCase(12, 0.9)]
    [TestCase(13, 0.85)]
    public void Calibration_ChangesNoPlanOfAKeepRatio(int seed, double keep)
    {
        // a monotone factor scales the budget (keep × layers + rest) with every cost: the exact plan is the same
        var a = Planning.PlanningInstances.Small(seed);
        var rng = new Random(seed);
        var layers = a.Layers.Select(l => new LayerLatency(l.Layer.Name, 100_000 + rng.Next(100_000),
            [.. l.Options.Where(o => o.MaxRank > 0).Select(o => new LatencyChain(o.Scheme, o.Groups,
                [.. Enumerable.Range(1, o.MaxRank).Select(j => new LatencyPoint(j, 5_000L * j + rng.Next(3_000)))]))])).ToArray();
        Assert.That(layers.Sum(l => l.Chains.Count), Is.GreaterThan(a.Layers.Count), "options to choose from");
        var table = new LatencyTable(Here, "m", 1, 20_000, layers, new ModelTiming(1, 20_000 + layers.Sum(l => l.WholeNanoseconds), 2));
        Plan PlanWith(LatencyCost cost)
        {
            long before = a.Layers.Sum(l => cost.Whole(l.Layer));
            return Planner.Create(a, Budget.FromKeep(keep, before, CostKind.Latency, cost.Fixed), new PlannerOptions { Cost = cost });
        }
        var plain = PlanWith(new LatencyCost(table));
        var scaled = PlanWith(new LatencyCost(table with { Model = table.Model with { MedianNanoseconds = table.Model.MedianNanoseconds * 2 } }));
        Assert.That(scaled.Layers.Select(c => (c.Compressed, c.Scheme, c.Groups, c.Rank)), Is.EqualTo(plain.Layers.Select(c => (c.Compressed, c.Scheme, c.Groups, c.Rank))));
        Assert.That(scaled.Cost!.TotalAfter, Is.EqualTo(2 * plain.Cost!.TotalAfter).Within(a.Layers.Count + 1));
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
        Assert.That(cache.TryLoad("abc", Here with { Batch = 8 }, out var batch), Is.Null, "a table of another batch is not reused");
        Assert.That(batch, Does.Contain("batch 1 (here 8)"));
    }

    [Test]
    public void InputShapes_Batch_ReplacesAFirstDimensionOfOneOrOpenAndRefusesAnother()
    {
        var eight = InputShapes.None.WithBatch(8);
        Assert.That(eight.Resolve("x", [1, 3, 4, 4], true, "m.onnx"), Is.EqualTo(new long[] { 8, 3, 4, 4 }));
        Assert.That(eight.Resolve("x", [null, 3, 4, 4], true, "m.onnx"), Is.EqualTo(new long[] { 8, 3, 4, 4 }));
        Assert.That(InputShapes.Parse(["8x3x4x4"]).WithBatch(8).Resolve("x", [1, 3, 4, 4], true, "m.onnx"), Is.EqualTo(new long[] { 8, 3, 4, 4 }));
        var e = Assert.Throws<ModelFormatException>(() => eight.Resolve("x", [2, 3, 4, 4], true, "m.onnx"))!;
        Assert.That(e.Message, Is.EqualTo("m.onnx: input 'x' fixes its first dimension to 2; cannot run at batch 8"));
        Assert.That(InputShapes.None.Resolve("x", [1, 3, 4, 4], true, "m.onnx"), Is.EqualTo(new long[] { 1, 3, 4, 4 }));
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
    public void Plan_LatencyBatch_TableOfThatBatchAndNeverAnotherSilently()
    {
        using var folder = new TempFolder();
        var model = folder["tiny.onnx"];
        WriteTinyConvNet(model);
        var cacheDir = folder["cache"];
        var two = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--batch", "2", "--cache", cacheDir, "--json");
        Assert.That(two.Code, Is.EqualTo(AldsApp.Success), two.ToString());
        var table = LatencyTable.TryParse(File.ReadAllBytes(Directory.GetFiles(Path.Combine(cacheDir, "latency"), "*.json").Single()))!;
        Assert.That(table.Environment.Batch, Is.EqualTo(2));
        Assert.That(table.Model.Runs, Is.EqualTo(2 * CostSetup.ModelRuns));
        // the batch-1 run does not take the batch-2 table: --cache-only names the difference
        var one = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--cache", cacheDir, "--cache-only");
        Assert.That(one.Code, Is.EqualTo(AldsApp.Failure), one.ToString());
        Assert.That(one.Err, Does.Contain("batch 2 (here 1)"));
        Assert.That(one.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
        var again = AldsRunner.Run("plan", model, "--keep", "1", "--budget", "latency", "--batch", "2", "--cache", cacheDir, "--cache-only", "--json");
        Assert.That(again.Code, Is.EqualTo(AldsApp.Success), again.ToString());
        Assert.That(again.Out, Is.EqualTo(two.Out));
    }

    [TestCase("0", "--budget", "latency", "--batch must be from 1 to 1024, got 0")]
    [TestCase("2000", "--budget", "latency", "--batch must be from 1 to 1024, got 2000")]
    [TestCase("8", "--budget", "params", "--batch is the batch of the latency table: give it with --budget latency (here --budget params)")]
    [TestCase("8", "--budget", "macs", "--batch is the batch of the latency table: give it with --budget latency (here --budget macs)")]
    public void Plan_BadBatch_BadUsageOneLine(string batch, string option, string value, string message)
    {
        using var folder = new TempFolder();
        var model = folder["tiny.onnx"];
        WriteTinyConvNet(model);
        var r = AldsRunner.Run("plan", model, "--keep", "0.5", option, value, "--batch", batch);
        Assert.That(r.Code, Is.EqualTo(AldsApp.BadUsage), r.ToString());
        Assert.That(r.Out, Is.Empty);
        Assert.That(r.Err.Split('\n')[0], Is.EqualTo("alds: " + message));
        Assert.That(r.Err.Trim().Split('\n').Skip(1), Is.Empty.Or.EqualTo(new[] { "Try 'alds --help'." }), "one line and the usual hint");
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
        var cost = new LatencyCost(new LatencyTable(Here, "m", 1, 50, layers, new ModelTiming(1, 50 + layers.Length * 1000, 2)));
        var plan = Planner.Create(a, Budget.FromCost(50 + layers.Length * 400, CostKind.Latency), new PlannerOptions { Cost = cost });
        foreach (var (choice, la) in plan.Layers.Zip(a.Layers))
            if (choice.Compressed)
                Assert.That((choice.Scheme, choice.Groups), Is.EqualTo((la.Options[0].Scheme, la.Options[0].Groups)));
        Assert.That(plan.Cost!.TotalAfter, Is.LessThanOrEqualTo(50 + layers.Length * 400));
    }
}
