using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Planning;

public class PlanJsonTests
{
    private static Plan TinyPlan() => new(
        "exact", [0], "max", 0.5, 100, 200, 90, 0.25, "conv1",
        [
            new LayerChoice(new LayerSpec("conv1", LayerKind.Conv, 4, 2, 3, 3, "conv1.weight", null), true, 0, 2, 3, 72, 50, 0.25)
            { RelErrorMeasured = 0.5 },
            new LayerChoice(new LayerSpec("fc", LayerKind.Linear, 4, 32, 1, 1, "fc.weight", "fc.bias"), false, 0, 1, 0, 128, 40, 0.0),
        ])
    { NextSmallerThreshold = 0.125, NextSmallerThresholdParams = 120 };

    [Test]
    public void Write_TinyPlan_ExactTextInFixedFieldOrder()
    {
        const string expected =
            "{\"version\":1,\"optimizer\":\"exact\",\"schemes\":[0],\"error\":\"max\"," +
            "\"budget\":{\"keep\":0.5,\"params\":100,\"params_before\":200,\"params_after\":90}," +
            "\"max_rel_error\":0.25,\"bottleneck\":\"conv1\",\"next_smaller_threshold\":{\"max_rel_error\":0.125,\"params\":120}," +
            "\"layers\":[{\"name\":\"conv1\",\"shape\":[4,2,3,3],\"scheme\":0,\"groups\":2,\"rank\":3,\"params_before\":72," +
            "\"params_after\":50,\"compressed\":true,\"rel_error\":0.25,\"rel_error_measured\":0.5}," +
            "{\"name\":\"fc\",\"shape\":[4,32],\"scheme\":0,\"groups\":1,\"rank\":0,\"params_before\":128,\"params_after\":40," +
            "\"compressed\":false,\"rel_error\":0}]}";
        Assert.That(PlanJson.Write(TinyPlan()), Is.EqualTo(expected));
    }

    [TestCase(OptimizerKind.Exact)]
    [TestCase(OptimizerKind.Paper)]
    [TestCase(OptimizerKind.Uniform)]
    [TestCase(OptimizerKind.Energy)]
    [TestCase(OptimizerKind.K1)]
    public void Parse_WrittenPlan_RoundTripsExactly(OptimizerKind optimizer)
    {
        var a = SyntheticAnalysis.ResNet18Shaped(seed: 12, schemes: [0, 3]);
        var plan = Planner.Create(a, Budget.FromKeep(0.37, Planner.ParamsBefore(a)), new PlannerOptions { Optimizer = optimizer });
        plan = plan with { Layers = [.. plan.Layers.Select((c, i) => i % 3 == 0 ? c with { RelErrorMeasured = c.RelError * 1.7 + 1e-17 } : c)] };
        string json = PlanJson.Write(plan);
        var doc = PlanJson.Parse(json);
        Assert.That(doc, Is.EqualTo(PlanDocument.From(plan)));
        Assert.That(PlanJson.Write(plan, indented: true), Does.Contain("\"version\": 1"));
        Assert.That(PlanJson.Parse(PlanJson.Write(plan, indented: true)), Is.EqualTo(doc));
    }

    [Test]
    public void Write_NonExactOptimizer_OmitsNextSmallerThreshold()
    {
        var plan = TinyPlan() with { Optimizer = "paper", NextSmallerThreshold = null, NextSmallerThresholdParams = null, Keep = null };
        string json = PlanJson.Write(plan);
        Assert.That(json, Does.Not.Contain("next_smaller_threshold"));
        Assert.That(json, Does.Contain("\"keep\":null"));
        Assert.That(PlanJson.Parse(json).Keep, Is.Null);
    }

    [TestCase("[1,2]", "root is not an object")]
    [TestCase("{\"version\":2}", "unsupported version 2")]
    [TestCase("{\"version\":1,\"optimizer\":\"exact\"}", "missing field")]
    [TestCase("{\"version\":1,", "invalid plan")]
    public void Parse_Malformed_ThrowsOneLineNamingSource(string json, string what)
    {
        var ex = Assert.Throws<ModelFormatException>(() => PlanJson.Parse(json, "model.safetensors alds.plan"));
        Assert.That(ex!.Message, Does.StartWith("model.safetensors alds.plan: invalid plan"));
        Assert.That(ex.Message, Does.Contain(what));
        Assert.That(ex.Message, Does.Not.Contain('\n'));
    }
}
