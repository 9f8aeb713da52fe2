using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Cli;

/// <summary>A small seeded safetensors model (three convs and a linear layer, 27,776 weights) for frontier and bench tests.</summary>
public static class FrontierTestModel
{
    /// <summary>Writes the model to <paramref name="path"/>. Rank 1 of every layer is 2.6% of its parameters.</summary>
    public static void Write(string path)
    {
        var rng = new Random(7);
        var writer = new SafetensorsWriter();
        foreach (var (name, shape) in new (string, long[])[]
        {
            ("conv1.weight", [32, 16, 3, 3]), ("conv2.weight", [64, 32, 3, 3]), ("conv3.weight", [64, 64, 1, 1]), ("fc.weight", [10, 64]),
        })
        {
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            // Decaying columns give spectra that fall off, as trained weights do.
            for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() - 0.5) / (1 + i % 37));
            writer.AddFloat32(name, DType.F32, shape, values);
        }
        writer.WriteTo(path);
    }
}
