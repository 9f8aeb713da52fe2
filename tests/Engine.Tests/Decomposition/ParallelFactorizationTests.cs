using Alds.Engine.Analysis;
using Alds.Engine.Decomposition;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Decomposition;

/// <summary>Group-parallel factorisation and the layer window of <see cref="PlanFactorizer"/>: thread count never changes a bit.</summary>
public class ParallelFactorizationTests
{
    private static double[] RandomWeight(LayerSpec l, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)l.Params).Select(_ => rng.NextDouble() - 0.5).ToArray();
    }

    [TestCase(0, 4, 3)] [TestCase(1, 8, 2)] [TestCase(3, 2, 3)]
    public void Factorize_AnyThreadCount_BitIdentical(int scheme, int k, int rank)
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 12, 8, 3, 3, "c.weight", null);
        var w = RandomWeight(layer, 3 + scheme);
        var one = Decomposer.Factorize(layer, w, scheme, k, rank, 1);
        var many = Decomposer.Factorize(layer, w, scheme, k, rank, 4);
        Assert.That(many.Encoder, Is.EqualTo(one.Encoder).AsCollection);
        Assert.That(many.Decoder, Is.EqualTo(one.Decoder).AsCollection);
    }

    [TestCase(0)] [TestCase(2)]
    public void ReconstructFolded_MatchesBruteForceProducts(int scheme)
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 10, 6, 3, 3, "c.weight", null);
        var f = Decomposer.Factorize(layer, RandomWeight(layer, 21), scheme, 3, 2);
        var fold = new Fold(scheme, 10, 6, 3, 3);
        int m = fold.Rows, total = fold.Columns, n = total / 3, dec = fold.DecoderTaps, kj = 3 * 2;
        var folded = Decomposer.ReconstructFolded(f);
        for (int row = 0; row < m; row++)
            for (int col = 0; col < total; col++)
            {
                int i = col / n, o = row / dec, t = row % dec;
                double sum = 0;
                for (int r = 0; r < 2; r++)
                    sum += f.Decoder[(o * kj + i * 2 + r) * dec + t] * f.Encoder[(i * 2 + r) * n + col % n];
                Assert.That(folded[row * total + col], Is.EqualTo(sum).Within(1e-13));
            }
    }

    [Test]
    public void Run_AnyThreadCount_SameFactorsInPlanOrder()
    {
        var layers = Enumerable.Range(0, 7).Select(i => new LayerSpec($"l{i}", LayerKind.Conv, 8 + i, 4, 3, 3, $"l{i}.weight", null)).ToArray();
        var source = new MemorySource(layers);
        var choices = layers.Select((l, i) => new LayerChoice(l, i != 3, i % 4, i % 2 == 0 ? 2 : 1, 2, l.Params, 0, 0)).ToArray();
        var plan = new Plan("exact", [0], "max", 0.5, 0, 0, 0, 0, "", choices);
        var one = new List<(string name, double[] enc, double error)>();
        var many = new List<(string name, double[] enc, double error)>();
        var p1 = PlanFactorizer.Run(source, plan, (f, e) => one.Add((f.Layer.Name, f.Encoder, e)), maxDegreeOfParallelism: 1);
        var p4 = PlanFactorizer.Run(source, plan, (f, e) => many.Add((f.Layer.Name, f.Encoder, e)), maxDegreeOfParallelism: 3);
        Assert.That(one.Select(x => x.name), Is.EqualTo(new[] { "l0", "l1", "l2", "l4", "l5", "l6" }));
        Assert.That(many.Select(x => x.name), Is.EqualTo(one.Select(x => x.name)));
        for (int q = 0; q < one.Count; q++)
        {
            Assert.That(many[q].enc, Is.EqualTo(one[q].enc).AsCollection);
            Assert.That(many[q].error, Is.EqualTo(one[q].error));
        }
        Assert.That(p4.Layers.Select(l => l.RelErrorMeasured), Is.EqualTo(p1.Layers.Select(l => l.RelErrorMeasured)));
        Assert.That(p1.Layers[3].RelErrorMeasured, Is.EqualTo(0.0));
    }

    [Test]
    public void Run_NonFiniteWeight_ThrowsModelFormatExceptionUnwrapped()
    {
        var layers = new[] { new LayerSpec("a", LayerKind.Conv, 8, 4, 3, 3, "a.weight", null), new LayerSpec("b", LayerKind.Conv, 8, 4, 3, 3, "b.weight", null) };
        var source = new MemorySource(layers) { Poison = "b" };
        var plan = new Plan("exact", [0], "max", 0.5, 0, 0, 0, 0, "", layers.Select(l => new LayerChoice(l, true, 0, 1, 1, l.Params, 0, 0)).ToArray());
        Assert.Throws<ModelFormatException>(() => PlanFactorizer.Run(source, plan, (_, _) => { }, maxDegreeOfParallelism: 2));
    }

    private sealed class MemorySource(IReadOnlyList<LayerSpec> layers) : IModelSource
    {
        public string? Poison { get; init; }
        public string Path => "memory.safetensors";
        public IReadOnlyList<TensorEntry> Tensors => [];
        public IReadOnlyList<LayerSpec> Layers => layers;
        public IReadOnlyList<SkippedTensor> Skipped => [];

        public void ReadWeight(LayerSpec layer, Span<double> destination)
        {
            var rng = new Random(layer.Out);
            for (int i = 0; i < destination.Length; i++) destination[i] = rng.NextDouble() - 0.5;
            if (layer.Name == Poison) destination[destination.Length / 2] = double.NaN;
        }

        public void ReadFloat64(string tensor, Span<double> destination) => throw new NotSupportedException();
        public void CopyRawBytes(string tensor, Stream destination) => throw new NotSupportedException();
        public void Dispose() { }
    }
}
