using Alds.Engine.Layers;

namespace Alds.GpuSweep;

/// <summary>A layer to sweep: its spec, where its weight comes from, and the group counts to try.</summary>
internal sealed record SweepLayer(string Model, LayerSpec Spec, Func<double[]> Weight, int[] Schemes, int[] GroupCounts);

internal static class Workloads
{
    /// <summary>Powers of two ≤ 64 that divide <paramref name="inCh"/>.</summary>
    public static int[] PowersOfTwo(int inCh) => [.. new[] { 1, 2, 4, 8, 16, 32, 64 }.Where(k => inCh % k == 0)];

    public static IEnumerable<SweepLayer> Bert(int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            foreach (var name in new[] { "query", "key", "value", "attention.output" })
                yield return Linear("bert-base", $"encoder.layer.{b}.{name}", 768, 768, 1000 * b + name.Length);
            yield return Linear("bert-base", $"encoder.layer.{b}.intermediate", 3072, 768, 1000 * b + 11);
            yield return Linear("bert-base", $"encoder.layer.{b}.output", 768, 3072, 1000 * b + 12);
        }
    }

    public static IEnumerable<SweepLayer> Llama(int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            foreach (var name in new[] { "q_proj", "k_proj", "v_proj", "o_proj" })
                yield return Linear("llama-7b", $"layers.{b}.self_attn.{name}", 4096, 4096, 2000 * b + name[0]);
            yield return Linear("llama-7b", $"layers.{b}.mlp.gate_proj", 11008, 4096, 2000 * b + 1);
            yield return Linear("llama-7b", $"layers.{b}.mlp.up_proj", 11008, 4096, 2000 * b + 2);
            yield return Linear("llama-7b", $"layers.{b}.mlp.down_proj", 4096, 11008, 2000 * b + 3);
        }
    }

    /// <summary>The conv layers (groups = 1) of an ONNX model, weights read from its initializers.</summary>
    public static IEnumerable<SweepLayer> Onnx(string path, string model)
    {
        using var stream = File.OpenRead(path);
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(stream);
        var inits = proto.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var node in proto.Graph.Node.Where(n => n.OpType == "Conv"))
        {
            var group = node.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
            if (group != 1 || node.Input.Count < 2 || !inits.TryGetValue(node.Input[1], out var t) || t.Dims.Count != 4) continue;
            var spec = new LayerSpec(node.Name.Length > 0 ? node.Name : t.Name, LayerKind.Conv,
                (int)t.Dims[0], (int)t.Dims[1], (int)t.Dims[2], (int)t.Dims[3], t.Name, null);
            var tensor = t;
            yield return new SweepLayer(model, spec, () => ToDoubles(tensor), [0, 1, 2, 3], PowersOfTwo(spec.In));
        }
    }

    /// <summary>
    /// Conv layers from a shape table (layer, out, in, kh, kw) with seeded weights: the real model's
    /// shapes when its weights cannot travel to the device (ResNet18.onnx is 61 MiB on its own).
    /// </summary>
    public static IEnumerable<SweepLayer> Shapes(string path, string model)
    {
        int seed = 5000;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length < 5) continue;
            var spec = new LayerSpec(f[0], LayerKind.Conv, int.Parse(f[1]), int.Parse(f[2]), int.Parse(f[3]), int.Parse(f[4]), f[0] + ".weight", null);
            int s = seed++;
            yield return new SweepLayer(model, spec, () => RandomWeight(spec, s), [0, 1, 2, 3], PowersOfTwo(spec.In));
        }
    }

    private static double[] ToDoubles(global::Onnx.TensorProto t)
    {
        if (t.DataType != 1) throw new InvalidDataException($"initializer '{t.Name}': data type {t.DataType}, expected FLOAT (1)");
        if (t.FloatData.Count > 0) return t.FloatData.Select(f => (double)f).ToArray();
        var bytes = t.RawData.Span;
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
        var result = new double[floats.Length];
        for (int i = 0; i < floats.Length; i++) result[i] = floats[i];
        return result;
    }

    private static SweepLayer Linear(string model, string name, int outCh, int inCh, int seed)
    {
        var spec = new LayerSpec(name, LayerKind.Linear, outCh, inCh, 1, 1, name + ".weight", null);
        return new SweepLayer(model, spec, () => RandomWeight(spec, seed), [0], PowersOfTwo(inCh));
    }

    /// <summary>Seeded Gaussian weights scaled like a trained layer's init (σ = 1/√in).</summary>
    public static double[] RandomWeight(LayerSpec spec, int seed)
    {
        var rng = new Random(seed);
        var w = new double[spec.Params];
        double scale = 1 / Math.Sqrt(spec.In * spec.Kh * spec.Kw);
        for (int i = 0; i < w.Length; i += 2)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1));
            w[i] = scale * r * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < w.Length) w[i + 1] = scale * r * Math.Sin(2 * Math.PI * u2);
        }
        return w;
    }
}
