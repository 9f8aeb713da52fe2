using System.Text.Json;
using Alds.Engine.IO;
using Alds.Engine.Tensors;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Scale;

/// <summary>Small seeded models for the scale tests: one safetensors file, the same tensors split into shards, or an ONNX chain.</summary>
internal static class ScaleModels
{
    /// <summary>name → (shape, dtype): eight compressible layers (convs and linears, some with bias) and pass-through tensors.</summary>
    public static readonly (string Name, long[] Shape, DType DType)[] Tensors =
    [
        ("embed.weight", [50, 12], DType.F32),
        ("block0.conv.weight", [12, 8, 3, 3], DType.F32),
        ("block0.conv.bias", [12], DType.F32),
        ("block0.norm.weight", [12], DType.F32),
        ("block1.conv.weight", [16, 12, 3, 3], DType.F32),
        ("block1.norm.weight", [16], DType.F32),
        ("block2.conv.weight", [16, 16, 1, 1], DType.F64),
        ("block3.conv.weight", [8, 16, 3, 3], DType.F16),
        ("block3.conv.bias", [8], DType.F16),
        ("head.fc1.weight", [24, 32], DType.F32),
        ("head.fc1.bias", [24], DType.F32),
        ("head.fc2.weight", [10, 24], DType.BF16),
        ("head.fc3.weight", [12, 10], DType.F32),
        ("head.fc4.weight", [6, 12], DType.F32),
        ("step", [], DType.I64),
    ];

    public static void Declare(SafetensorsWriter writer, IEnumerable<(string Name, long[] Shape, DType DType)> tensors)
    {
        foreach (var (name, shape, dtype) in tensors)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (dtype == DType.I64)
            {
                writer.Add(name, dtype, shape, BitConverter.GetBytes(1234L));
                continue;
            }
            var rng = new Random(StableSeed(name));
            var values = new double[count];
            for (int i = 0; i < values.Length; i++) values[i] = rng.NextDouble() * 2 - 1;
            writer.AddFloat64(name, dtype, shape, values);
        }
    }

    private static int StableSeed(string name) => name.Aggregate(17, (h, c) => unchecked(h * 31 + c));

    /// <summary>Writes every tensor into one file.</summary>
    public static string WriteSingle(string path)
    {
        var writer = new SafetensorsWriter(new Dictionary<string, string> { ["producer"] = "tests" });
        Declare(writer, Tensors);
        writer.WriteTo(path);
        return path;
    }

    /// <summary>Writes the same tensors as <paramref name="shards"/> files round-robin plus an index; returns the index path.</summary>
    public static string WriteSharded(string directory, int shards = 3)
    {
        Directory.CreateDirectory(directory);
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        for (int s = 0; s < shards; s++)
        {
            var name = ShardName(s, shards);
            var mine = Tensors.Where((_, i) => i % shards == s).ToArray();
            var writer = new SafetensorsWriter(new Dictionary<string, string> { ["format"] = "pt" });
            Declare(writer, mine);
            writer.WriteTo(Path.Combine(directory, name));
            foreach (var t in mine) map[t.Name] = name;
            total += writer.Layout().Sum(t => t.ByteLength);
        }
        return WriteIndex(directory, map, total);
    }

    public static string ShardName(int index, int count) => $"model-{index + 1:D5}-of-{count:D5}.safetensors";

    public static string WriteIndex(string directory, IReadOnlyDictionary<string, string> map, long total = 0,
        string name = "model.safetensors.index.json")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, JsonSerializer.Serialize(new { metadata = new { total_size = total }, weight_map = map }));
        return path;
    }

    public static Dictionary<string, string> ReadWeightMap(string index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
        return doc.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    /// <summary>x [1,8,9,9] → five 3×3 convs (pad 1) with Relu between: an ONNX input for the compress determinism test.</summary>
    public static string WriteOnnxChain(string path)
    {
        var rng = new Random(5);
        var m = NewModel();
        var g = m.Graph;
        g.Input.Add(Value("x", 1, 8, 9, 9));
        g.Output.Add(Value("y", null));
        int[] channels = [8, 12, 16, 12, 10, 6];
        string input = "x";
        for (int i = 0; i < channels.Length - 1; i++)
        {
            int cin = channels[i], cout = channels[i + 1];
            g.Initializer.Add(Initializer($"conv{i}.weight", [cout, cin, 3, 3], Random(rng, cout * cin * 9)));
            string output = i == channels.Length - 2 ? "y" : $"h{i}";
            string convOut = i == channels.Length - 2 ? "y" : $"c{i}";
            g.Node.Add(Node("Conv", $"conv{i}", [input, $"conv{i}.weight"], [convOut], Ints("pads", 1, 1, 1, 1)));
            if (convOut != "y")
            {
                g.Node.Add(Node("Relu", $"relu{i}", [convOut], [output]));
                input = output;
            }
        }
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(m));
        return path;
    }
}
