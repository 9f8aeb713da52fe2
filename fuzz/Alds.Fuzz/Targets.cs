using System.Buffers.Binary;
using Alds.Engine;
using Alds.Engine.Caching;
using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Tensors;

namespace Alds.Fuzz;

/// <summary>
/// One fuzz target per reader. A target returns normally for accepted or cleanly rejected input
/// (<see cref="ModelFormatException"/> and subclasses, on one line); any other exception escapes and is a crash.
/// The test project compiles this same file to replay saved inputs (tests/Engine.Tests/Fuzzing).
/// </summary>
internal static class Targets
{
    /// <summary>Largest tensor a target decodes, in elements (keeps each execution fast).</summary>
    private const long MaxDecode = 1 << 20;

    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["safetensors"] = Safetensors,
        ["onnx"] = Onnx,
        ["cache"] = Cache,
    };

    private static string? _scratch;

    /// <summary>
    /// Where the targets write the bytes they open as files: a per-process folder under the temp directory unless
    /// set (the replay tests point it at a folder they delete).
    /// </summary>
    public static string ScratchDirectory
    {
        get
        {
            if (_scratch is null)
            {
                _scratch = Path.Combine(Path.GetTempPath(), $"alds-fuzz-{Environment.ProcessId}");
                Directory.CreateDirectory(_scratch);
            }
            return _scratch;
        }
        set => _scratch = value;
    }

    /// <summary>A refusal is a one-line message (the ModelFormatException contract); anything else is a crash.</summary>
    private static void CheckOneLine(ModelFormatException e)
    {
        if (e.Message.AsSpan().IndexOfAny('\n', '\r') >= 0)
            throw new InvalidOperationException($"multi-line ModelFormatException message: {e.Message}", e);
    }

    /// <summary>Header parse from bytes, a full open of the bytes as a file reading every tensor, and the model source over it.</summary>
    public static void Safetensors(byte[] data)
    {
        try
        {
            if (data.Length >= 8)
                SafetensorsFile.ParseHeader(data, data.Length, "fuzz.safetensors");
        }
        catch (ModelFormatException e) { CheckOneLine(e); }

        string path = Path.Combine(ScratchDirectory, "input.safetensors");
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
        catch (ModelFormatException e) { CheckOneLine(e); }
        try
        {
            using var source = new SafetensorsModelSource(path);
            foreach (var layer in source.Layers)
                if (layer.Params <= MaxDecode)
                    source.ReadWeight(layer, new double[layer.Params]);
        }
        catch (ModelFormatException e) { CheckOneLine(e); }
    }

    /// <summary>Opens the bytes as an ONNX model in a private directory and reads every layer's weight.</summary>
    public static void Onnx(byte[] data)
    {
        string path = Path.Combine(ScratchDirectory, "model.onnx");
        File.WriteAllBytes(path, data);
        try
        {
            using var source = new OnnxModelSource(path);
            foreach (var layer in source.Layers)
            {
                if (layer.Params <= MaxDecode)
                    source.ReadWeight(layer, new double[layer.Params]);
            }
            foreach (var tensor in source.Tensors)
            {
                if (tensor.DType.IsComputable() && tensor.ElementCount <= MaxDecode)
                    source.ReadFloat64(tensor.Name, new double[tensor.ElementCount]);
                using var sink = new MemoryStream();
                if (tensor.ElementCount <= MaxDecode)
                    source.CopyRawBytes(tensor.Name, sink);
            }
        }
        catch (ModelFormatException e) { CheckOneLine(e); }
    }

    /// <summary>
    /// Decodes the bytes as a cache entry; must never throw. The checksum is rewritten and the key taken
    /// from the entry first, so mutations reach the body instead of dying at the checksum.
    /// </summary>
    public static void Cache(byte[] data)
    {
        CacheEntryFormat.TryDecode(data, default);
        if (data.Length < 8 + 4 + 16 + 4 + 8)
            return;
        var fixedUp = (byte[])data.Clone();
        int body = fixedUp.Length - 8;
        BinaryPrimitives.WriteUInt64LittleEndian(fixedUp.AsSpan(body), System.IO.Hashing.XxHash64.HashToUInt64(fixedUp.AsSpan(0, body)));
        var key = BinaryPrimitives.ReadUInt128LittleEndian(fixedUp.AsSpan(12));
        CacheEntryFormat.TryDecode(fixedUp, key);
    }
}
