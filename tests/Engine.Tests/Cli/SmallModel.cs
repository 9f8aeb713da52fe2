using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// A small safetensors model with one of each kind of tensor: a conv (64×64×3×3, 147 KiB, so that a
/// 64 KiB file system cannot hold it), a linear with bias, an embedding, a 1-D norm and an int scalar.
/// </summary>
internal static class SmallModel
{
    public const string Conv = "features.conv.weight", Linear = "classifier.weight", LinearBias = "classifier.bias",
        Embedding = "token_embed.weight", Norm = "norm.weight", Counter = "norm.num_batches_tracked";

    /// <summary>Writes the model; <paramref name="nanAt"/> puts a NaN at that element of the conv weight.</summary>
    public static void Write(string path, int? nanAt = null)
    {
        var rng = new Random(7);
        float[] Gauss(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5))];
        var conv = Gauss(64 * 64 * 9);
        if (nanAt is int i) conv[i] = float.NaN;
        var writer = new SafetensorsWriter(new Dictionary<string, string> { ["origin"] = "SmallModel" });
        writer.AddFloat32(Conv, DType.F32, [64, 64, 3, 3], conv);
        writer.AddFloat32(Linear, DType.F32, [10, 32], Gauss(320));
        writer.AddFloat32(LinearBias, DType.F32, [10], Gauss(10));
        writer.AddFloat32(Embedding, DType.F32, [50, 16], Gauss(800));
        writer.AddFloat32(Norm, DType.F32, [16], Gauss(16));
        writer.Add(Counter, DType.I64, [], BitConverter.GetBytes(12345L));
        writer.WriteTo(path);
    }

    /// <summary>Weight parameters of the layers found by default (conv + linear).</summary>
    public const long CompressibleParams = 64 * 64 * 9 + 10 * 32;
}
