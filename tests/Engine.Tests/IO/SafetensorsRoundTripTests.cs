using System.Buffers.Binary;
using System.Text;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

/// <summary>Property test: random valid tensors of every dtype survive write → read bit-exactly.</summary>
public class SafetensorsRoundTripTests
{
    private const int Cases = 300;
    private static readonly string[] NameParts = ["conv", "1", ".", "weight", "_", "é", "😀", "\"", "\\", "\n", " ", "/", "ж", "<&>"];
    private static readonly DType[] AllDtypes = Enum.GetValues<DType>();

    private sealed record Case(Dictionary<string, string> Metadata, List<(string Name, DType DType, long[] Shape, byte[] Data)> Tensors);

    private static Case RandomCase(Random random)
    {
        var metadata = new Dictionary<string, string>();
        for (int i = random.Next(4); i > 0; i--)
            metadata[RandomName(random)] = RandomName(random);
        var tensors = new List<(string, DType, long[], byte[])>();
        var names = new HashSet<string>();
        for (int i = random.Next(7); i > 0; i--)
        {
            string name = RandomName(random);
            if (name == "__metadata__" || !names.Add(name))
                continue;
            var dtype = AllDtypes[random.Next(AllDtypes.Length)];
            var shape = Enumerable.Range(0, random.Next(5)).Select(_ => (long)random.Next(6)).ToList();
            long elements = shape.Aggregate(1L, (a, d) => a * d);
            if (elements * dtype.Bits() % 8 != 0)
                shape.Add(4); // F4 needs an even count, F6_* a multiple of 4
            long bytes = shape.Aggregate(1L, (a, d) => a * d) * dtype.Bits() / 8;
            var data = new byte[bytes];
            random.NextBytes(data);
            tensors.Add((name, dtype, shape.ToArray(), data));
        }
        return new Case(metadata, tensors);
    }

    private static string RandomName(Random random)
    {
        var sb = new StringBuilder();
        for (int i = random.Next(5); i > 0; i--)
            sb.Append(NameParts[random.Next(NameParts.Length)]);
        return sb.ToString();
    }

    /// <summary>Element i of raw little-endian bytes, decoded by an independent formula.</summary>
    private static double Reference(DType dtype, byte[] data, int i) => dtype switch
    {
        DType.F64 => BitConverter.ToDouble(data, 8 * i),
        DType.F32 => BitConverter.ToSingle(data, 4 * i),
        DType.F16 => MiniFloat.F16.Decode(BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2 * i))),
        DType.BF16 => MiniFloat.BF16.Decode(BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2 * i))),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static bool SameBits(double a, double b) =>
        double.IsNaN(a) ? double.IsNaN(b) : BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    [Test]
    public void WriteThenOpen_RandomTensorsEveryDtype_BitExact()
    {
        var random = new Random(20261127);
        using var dir = new TempDirectory();
        var seen = new HashSet<DType>();
        int failures = 0;
        var report = new StringBuilder();
        for (int c = 0; c < Cases; c++)
        {
            var testCase = RandomCase(random);
            var writer = new SafetensorsWriter(testCase.Metadata);
            foreach (var (name, dtype, shape, data) in testCase.Tensors)
                writer.Add(name, dtype, shape, data);
            string path = dir.File($"case{c}.safetensors");
            writer.WriteTo(path);

            var bytes = File.ReadAllBytes(path);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            using var file = SafetensorsFile.Open(path);
            void Check(bool ok, string what)
            {
                if (ok) return;
                failures++;
                if (report.Length < 2000) report.AppendLine($"case {c}: {what}");
            }
            Check(n % 8 == 0, "header not padded to 8");
            Check(file.Metadata.Count == testCase.Metadata.Count
                  && testCase.Metadata.All(kv => file.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value), "metadata");
            var order = file.TensorInfos;
            Check(order.Count == testCase.Tensors.Count, "tensor count");
            for (int i = 1; i < order.Count; i++)
            {
                int a = order[i - 1].DType.Alignment(), b = order[i].DType.Alignment();
                Check(a > b || (a == b && string.CompareOrdinal(order[i - 1].Name, order[i].Name) < 0), $"order at {i}");
            }
            foreach (var (name, dtype, shape, data) in testCase.Tensors)
            {
                seen.Add(dtype);
                var info = file.Get(name);
                Check(info.DType == dtype && info.Shape.SequenceEqual(shape), $"'{name}' entry");
                Check(file.GetBytes(name).SequenceEqual(data), $"'{name}' bytes");
                using var copy = new MemoryStream();
                file.CopyTensorBytes(name, copy);
                Check(copy.ToArray().AsSpan().SequenceEqual(data), $"'{name}' copied bytes");
                if (!dtype.IsComputable())
                    continue;
                int count = (int)info.Entry.ElementCount;
                var d64 = new double[count];
                var d32 = new float[count];
                file.ReadFloat64(name, d64);
                file.ReadFloat32(name, d32);
                for (int i = 0; i < count; i++)
                {
                    double expected = Reference(dtype, data, i);
                    Check(SameBits(d64[i], expected), $"'{name}'[{i}] float64 {d64[i]:R} vs {expected:R}");
                    Check(SameBits(d32[i], (float)expected), $"'{name}'[{i}] float32");
                }
            }
            file.Dispose();
            File.Delete(path);
        }
        Assert.That(failures, Is.Zero, report.ToString());
        Assert.That(seen, Is.EquivalentTo(AllDtypes), "every dtype exercised");
        Assert.That(dir.Entries(), Is.Empty, "no temporaries left");
    }
}
