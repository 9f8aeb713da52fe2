using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

public class SafetensorsWriterTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static byte[] Bytes(int count, byte seed) => Enumerable.Range(0, count).Select(i => (byte)(seed + i)).ToArray();

    /// <summary>Keys of the header's top-level object, in the order they appear in the bytes.</summary>
    private static List<string> HeaderKeys(byte[] file)
    {
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var doc = JsonDocument.Parse(file.AsMemory(8, (int)n));
        return doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }

    [Test]
    public void WriteTo_MixedDtypes_OrdersByAlignmentThenName()
    {
        var w = new SafetensorsWriter();
        w.Add("b", DType.U8, [3], Bytes(3, 10));
        w.Add("a", DType.U8, [1], Bytes(1, 20));
        w.Add("z", DType.F64, [1], Bytes(8, 30));
        w.Add("c", DType.F32, [2], Bytes(8, 40));
        w.Add("m", DType.BF16, [1], Bytes(2, 50));
        w.Add("x", DType.F4, [2], Bytes(1, 60));
        w.Add("k", DType.I64, [1], Bytes(8, 70));
        w.Add("B", DType.F32, [], Bytes(4, 80));
        using var ms = new MemoryStream();
        w.WriteTo(ms);
        var file = ms.ToArray();

        string[] expected = ["k", "z", "B", "c", "m", "a", "b", "x"];
        Assert.That(w.Layout().Select(t => t.Name), Is.EqualTo(expected));
        Assert.That(HeaderKeys(file), Is.EqualTo(expected));
        var header = SafetensorsFile.ParseHeader(file, file.Length, "mem");
        Assert.That(header.Tensors.Select(t => t.Name), Is.EqualTo(expected));
        // Each tensor's bytes sit at its offsets.
        var sources = new Dictionary<string, byte[]>
        {
            ["b"] = Bytes(3, 10), ["a"] = Bytes(1, 20), ["z"] = Bytes(8, 30), ["c"] = Bytes(8, 40),
            ["m"] = Bytes(2, 50), ["x"] = Bytes(1, 60), ["k"] = Bytes(8, 70), ["B"] = Bytes(4, 80),
        };
        foreach (var t in header.Tensors)
            Assert.That(file.AsSpan((int)(header.DataStart + t.Begin), (int)t.ByteLength).ToArray(), Is.EqualTo(sources[t.Name]), t.Name);
        // 8-aligned tensors come first, so they start 8-aligned in the file.
        Assert.That(header.Tensors.Take(2).All(t => (header.DataStart + t.Begin) % 8 == 0));
    }

    [Test]
    public void BuildHeader_NameLengths1To24_PaddedWithSpacesToMultipleOf8()
    {
        for (int len = 1; len <= 24; len++)
        {
            var w = new SafetensorsWriter();
            w.Add(new string('n', len), DType.U8, [1], new byte[1]);
            var header = w.BuildHeader();
            long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(header);
            string json = Encoding.UTF8.GetString(header, 8, (int)n);
            string trimmed = json.TrimEnd(' ');
            Assert.Multiple(() =>
            {
                Assert.That(header.Length, Is.EqualTo(8 + n));
                Assert.That(n % 8, Is.Zero, $"length {len}");
                Assert.That(n - Encoding.UTF8.GetByteCount(trimmed), Is.InRange(0, 7));
                Assert.That(trimmed, Does.EndWith("}"));
                Assert.That(json[trimmed.Length..], Is.EqualTo(new string(' ', json.Length - trimmed.Length)));
            });
        }
    }

    [Test]
    public void BuildHeader_ExactJson_MetadataFirstSortedKeys()
    {
        var w = new SafetensorsWriter(new Dictionary<string, string> { ["z"] = "1", ["a"] = "\"q\"" });
        w.Add("t", DType.F32, [1, 2], new byte[8]);
        var header = w.BuildHeader();
        string json = Encoding.UTF8.GetString(header, 8, header.Length - 8).TrimEnd(' ');
        Assert.That(json, Is.EqualTo(
            "{\"__metadata__\":{\"a\":\"\\\"q\\\"\",\"z\":\"1\"},\"t\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}"));
    }

    [Test]
    public void BuildHeader_NoMetadata_NoMetadataKey()
    {
        var w = new SafetensorsWriter();
        Assert.That(Encoding.UTF8.GetString(w.BuildHeader(), 8, 8), Is.EqualTo("{}      "));
    }

    [Test]
    public void WriteTo_HeaderOverLimit_FailsWithoutFile()
    {
        string path = _dir.File("out.safetensors");
        var w = new SafetensorsWriter { HeaderLimit = 56 };
        w.Add("t", DType.U8, [1], new byte[1]); // 53 bytes of JSON, 56 once padded: at the limit
        Assert.That(w.BuildHeader(), Has.Length.EqualTo(8 + 56));
        w.Add("u", DType.U8, [1], new byte[1]);
        var e = Assert.Throws<InvalidOperationException>(() => w.WriteTo(path))!;
        Assert.That(e.Message, Does.Contain("over the limit of 56"));
        Assert.That(_dir.Entries(), Is.Empty);
    }

    [Test]
    public void WriteTo_SameInputsTwice_ByteIdentical()
    {
        byte[] Write()
        {
            var w = new SafetensorsWriter(new Dictionary<string, string> { ["k"] = "v", ["a"] = "b" });
            w.Add("q", DType.F16, [2], Bytes(4, 1));
            w.Add("p", DType.F16, [1], Bytes(2, 9));
            using var ms = new MemoryStream();
            w.WriteTo(ms);
            return ms.ToArray();
        }
        var first = Write();
        Assert.That(Write(), Is.EqualTo(first));
    }

    [Test]
    public void WriteTo_CallbackThrows_NoTargetNoTemporary()
    {
        string path = _dir.File("out.safetensors");
        var w = new SafetensorsWriter();
        w.Add("a", DType.U8, [4], s => { s.Write(new byte[2]); throw new InvalidDataException("boom"); });
        Assert.Throws<InvalidDataException>(() => w.WriteTo(path));
        Assert.That(_dir.Entries(), Is.Empty);
    }

    [Test]
    public void WriteTo_CallbackThrows_ExistingTargetUnchanged()
    {
        string path = _dir.File("out.safetensors");
        byte[] original = Bytes(100, 3);
        File.WriteAllBytes(path, original);
        var w = new SafetensorsWriter();
        w.Add("ok", DType.F64, [1], new byte[8]);
        w.Add("bad", DType.U8, [4], _ => throw new IOException("disk"));
        Assert.Throws<IOException>(() => w.WriteTo(path));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
        Assert.That(_dir.Entries(), Is.EqualTo(new[] { "out.safetensors" }));
    }

    [TestCase(3)]
    [TestCase(5)]
    public void WriteTo_CallbackWrongByteCount_FailsAndLeavesNothing(int written)
    {
        string path = _dir.File("out.safetensors");
        var w = new SafetensorsWriter();
        w.Add("a", DType.F32, [1], s => s.Write(new byte[written]));
        var e = Assert.Throws<InvalidOperationException>(() => w.WriteTo(path))!;
        Assert.That(e.Message, Does.Contain("'a'"));
        Assert.That(_dir.Entries(), Is.Empty);
    }

    [Test]
    public void WriteTo_CallbackWritesByteByByte_Accepted()
    {
        string path = _dir.File("out.safetensors");
        var w = new SafetensorsWriter();
        w.Add("a", DType.U16, [2], s => { foreach (byte b in new byte[] { 1, 2, 3, 4 }) s.WriteByte(b); });
        w.WriteTo(path);
        using var f = SafetensorsFile.Open(path);
        Assert.That(f.GetBytes("a").ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(_dir.Entries(), Is.EqualTo(new[] { "out.safetensors" }));
    }

    [Test]
    public void WriteTo_PassThroughFromReader_CopiesBytes()
    {
        string input = _dir.File("in.safetensors");
        var first = new SafetensorsWriter();
        first.AddFloat64("w", DType.BF16, [3], new double[] { 1, -2, 0.5 });
        first.WriteTo(input);
        using var reader = SafetensorsFile.Open(input);
        var second = new SafetensorsWriter();
        second.Add("w", DType.BF16, [3], s => reader.CopyTensorBytes("w", s));
        string output = _dir.File("out.safetensors");
        second.WriteTo(output, [input]);
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(File.ReadAllBytes(input)));
    }

    [Test]
    public void Add_DuplicateName_ArgumentException()
    {
        var w = new SafetensorsWriter();
        w.Add("a", DType.U8, [1], new byte[1]);
        Assert.Throws<ArgumentException>(() => w.Add("a", DType.F32, [1], new byte[4]));
    }

    [Test]
    public void Add_InvalidDeclarations_ArgumentException()
    {
        var w = new SafetensorsWriter();
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => w.Add("__metadata__", DType.U8, [1], new byte[1]));
            Assert.Throws<ArgumentException>(() => w.Add("neg", DType.U8, [-1], new byte[1]));
            Assert.Throws<ArgumentException>(() => w.Add("f4", DType.F4, [3], new byte[2]));
            Assert.Throws<ArgumentException>(() => w.Add("huge", DType.F64, [1L << 62, 4], new byte[1]));
            Assert.Throws<ArgumentException>(() => w.Add("bad\ud800", DType.U8, [1], new byte[1]));
            Assert.Throws<ArgumentException>(() => w.SetMetadata("k", "\udc00"));
            Assert.Throws<ArgumentOutOfRangeException>(() => w.Add("dt", (DType)99, [1], new byte[1]));
        });
        Assert.That(w.Layout(), Is.Empty);
    }

    [Test]
    public void EnsureNotSameFile_SameFileSpelledDifferently_Throws()
    {
        string a = _dir.File("a.safetensors");
        File.WriteAllBytes(a, [1]);
        string link = _dir.File("link.safetensors");
        File.CreateSymbolicLink(link, a);
        Assert.Multiple(() =>
        {
            Assert.Throws<OutputIsInputException>(() => SafetensorsWriter.EnsureNotSameFile(a, a));
            Assert.Throws<OutputIsInputException>(() =>
                SafetensorsWriter.EnsureNotSameFile(a, Path.Combine(_dir.Path, ".", "sub", "..", "a.safetensors")));
            Assert.Throws<OutputIsInputException>(() => SafetensorsWriter.EnsureNotSameFile(link, a));
            Assert.DoesNotThrow(() => SafetensorsWriter.EnsureNotSameFile(a, _dir.File("b.safetensors")));
        });
    }

    [Test]
    public void WriteTo_OutputIsAnInput_RefusedAndInputUnchanged()
    {
        string input = _dir.File("in.safetensors");
        File.WriteAllBytes(input, Bytes(16, 1));
        var w = new SafetensorsWriter();
        w.Add("a", DType.U8, [1], new byte[1]);
        var e = Assert.Throws<OutputIsInputException>(() => w.WriteTo(input, [_dir.File("other"), input]))!;
        Assert.That(e.Message, Does.Contain("overwrite the input"));
        Assert.That(File.ReadAllBytes(input), Is.EqualTo(Bytes(16, 1)));
    }

    [Test]
    public void WriteTo_TargetIsDirectory_IOExceptionNoTemporary()
    {
        string sub = _dir.File("sub");
        Directory.CreateDirectory(sub);
        var w = new SafetensorsWriter();
        Assert.Throws<IOException>(() => w.WriteTo(sub));
        Assert.That(_dir.Entries(), Is.EqualTo(new[] { "sub" }));
    }

    [Test]
    public void AddFloat_NarrowingDtypes_RoundTripThroughReader()
    {
        string path = _dir.File("f.safetensors");
        double[] values = [1.0, 257.0 / 256, 1.0 / 3, -65520, double.NaN];
        var w = new SafetensorsWriter();
        w.AddFloat64("bf", DType.BF16, [5], values);
        w.AddFloat64("h", DType.F16, [5], values);
        w.AddFloat64("s", DType.F32, [5], values);
        w.AddFloat64("d", DType.F64, [5], values);
        w.AddFloat32("s32", DType.BF16, [5], values.Select(v => (float)v).ToArray());
        w.WriteTo(path);
        using var f = SafetensorsFile.Open(path);
        var got = new double[5];
        f.ReadFloat64("bf", got);
        Assert.That(got, Is.EqualTo(new[] { 1.0, 1.0, 0.333984375, -65536, double.NaN }));
        f.ReadFloat64("h", got);
        Assert.That(got, Is.EqualTo(new[] { 1.0, 1.00390625, 0.333251953125, double.NegativeInfinity, double.NaN }));
        f.ReadFloat64("s", got);
        Assert.That(got, Is.EqualTo(values.Select(v => (double)(float)v)));
        f.ReadFloat64("d", got);
        Assert.That(got, Is.EqualTo(values));
    }
}
