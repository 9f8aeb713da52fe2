using System.Buffers.Binary;
using System.IO.Hashing;
using Alds.Engine.Caching;
using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Fuzzing;

/// <summary>
/// The readers' contract on hostile bytes, as fuzz/Alds.Fuzz checks it: accept, or refuse with a
/// one-line <see cref="ModelFormatException"/>; the cache decoder returns null and never throws.
/// Mirrors fuzz/Alds.Fuzz/Targets.cs so a saved fuzz input replays here as a plain test.
/// </summary>
internal static class ReaderContract
{
    private const long MaxDecode = 1 << 20;

    /// <summary>Runs one target on <paramref name="bytes"/>; returns the refusal, or null when the input was accepted.</summary>
    public static ModelFormatException? Run(string target, byte[] bytes, string directory) => target switch
    {
        "safetensors" => Safetensors(bytes, directory),
        "onnx" => Onnx(bytes, directory),
        "cache" => Cache(bytes),
        _ => throw new ArgumentException($"unknown target {target}", nameof(target)),
    };

    private static ModelFormatException? Safetensors(byte[] data, string directory)
    {
        ModelFormatException? refused = null;
        try
        {
            if (data.Length >= 8)
                SafetensorsFile.ParseHeader(data, data.Length, "fuzz.safetensors");
        }
        catch (ModelFormatException e) { refused = e; }

        string path = Path.Combine(directory, "input.safetensors");
        File.WriteAllBytes(path, data);
        try
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var info in file.TensorInfos)
            {
                _ = file.GetBytes(info.Name, 0, (int)Math.Min(info.ByteLength, int.MaxValue));
                long count = info.Entry.ElementCount;
                if (info.DType.IsComputable() && count <= MaxDecode)
                {
                    file.ReadFloat64(info.Name, new double[count]);
                    file.ReadFloat32(info.Name, new float[count]);
                }
                using var sink = new MemoryStream();
                file.CopyTensorBytes(info.Name, sink);
            }
        }
        catch (ModelFormatException e) { return e; }
        using (var source = new SafetensorsModelSource(path))
        {
            foreach (var layer in source.Layers)
                if (layer.Params <= MaxDecode)
                    source.ReadWeight(layer, new double[layer.Params]);
        }
        return refused;
    }

    private static ModelFormatException? Onnx(byte[] data, string directory)
    {
        string path = Path.Combine(directory, "model.onnx");
        File.WriteAllBytes(path, data);
        try
        {
            using var source = new OnnxModelSource(path);
            foreach (var layer in source.Layers)
                if (layer.Params <= MaxDecode)
                    source.ReadWeight(layer, new double[layer.Params]);
            foreach (var tensor in source.Tensors)
            {
                if (tensor.DType.IsComputable() && tensor.ElementCount <= MaxDecode)
                    source.ReadFloat64(tensor.Name, new double[tensor.ElementCount]);
                using var sink = new MemoryStream();
                if (tensor.ElementCount <= MaxDecode)
                    source.CopyRawBytes(tensor.Name, sink);
            }
            return null;
        }
        catch (ModelFormatException e) { return e; }
    }

    private static ModelFormatException? Cache(byte[] data)
    {
        CacheEntryFormat.TryDecode(data, default);
        if (data.Length >= 8 + 4 + 16 + 4 + 8)
        {
            var fixedUp = (byte[])data.Clone();
            int body = fixedUp.Length - 8;
            BinaryPrimitives.WriteUInt64LittleEndian(fixedUp.AsSpan(body), XxHash64.HashToUInt64(fixedUp.AsSpan(0, body)));
            CacheEntryFormat.TryDecode(fixedUp, BinaryPrimitives.ReadUInt128LittleEndian(fixedUp.AsSpan(12)));
        }
        return null;
    }
}
