using System.Runtime.InteropServices;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

public class SafetensorsFileTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    // An unpadded header (N odd) puts every tensor at an unaligned address.
    private const string Header =
        "{\"__metadata__\":{\"format\":\"pt\"}," +
        "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}," +
        "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[24,30]}," +
        "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[30,38]}," +
        "\"e\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[38,38]}} ";

    private static readonly float[] W = [1.5f, -2.25f, 3e-39f, float.MaxValue, -0.0f, 0.1f];
    private static readonly Half[] H = [(Half)1.5, Half.Epsilon, Half.NegativeInfinity];
    private static readonly int[] I = [7, -9];

    private string WriteFixture()
    {
        byte[] data = [.. MemoryMarshal.AsBytes(W.AsSpan()), .. MemoryMarshal.AsBytes(H.AsSpan()), .. MemoryMarshal.AsBytes(I.AsSpan())];
        var file = SafetensorsBytes.File(Header);
        Array.Resize(ref file, file.Length + data.Length);
        data.CopyTo(file, file.Length - data.Length);
        string path = _dir.File("fixture.safetensors");
        File.WriteAllBytes(path, file);
        return path;
    }

    [Test]
    public void Open_ValidFile_ListsTensorsInOffsetOrderAndMetadata()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        Assert.Multiple(() =>
        {
            Assert.That(f.Tensors.Select(t => t.Name), Is.EqualTo(new[] { "w", "h", "i", "e" }));
            Assert.That(f.Tensors[0].Shape, Is.EqualTo(new long[] { 2, 3 }));
            Assert.That(f.Tensors[1].DType, Is.EqualTo(DType.F16));
            Assert.That(f.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["format"] = "pt" }));
            Assert.That(f.Header.HeaderLength % 2, Is.EqualTo(1), "fixture must be unaligned");
            Assert.That(f.TryGet("i", out var info) && info.Begin == 30 && info.ByteLength == 8);
            Assert.That(f.TryGet("nope", out _), Is.False);
        });
    }

    [Test]
    public void GetBytes_WholeAndRange_ViewTheFileBytes()
    {
        string path = WriteFixture();
        var raw = File.ReadAllBytes(path);
        using var f = SafetensorsFile.Open(path);
        long start = f.Header.DataStart;
        Assert.Multiple(() =>
        {
            Assert.That(f.GetBytes("i").ToArray(), Is.EqualTo(raw.AsSpan((int)start + 30, 8).ToArray()));
            Assert.That(f.GetBytes("w", 4, 8).ToArray(), Is.EqualTo(raw.AsSpan((int)start + 4, 8).ToArray()));
            Assert.That(f.GetBytes("e").Length, Is.Zero);
        });
        unsafe
        {
            Assert.That(*(f.DangerousGetPointer("h") + 1), Is.EqualTo(raw[start + 25]));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => f.GetBytes("w", 20, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.GetBytes("w", -1, 1));
    }

    [Test]
    public void ReadFloat_F32AndF16_ExactValues()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        var w64 = new double[6];
        var w32 = new float[6];
        var h64 = new double[3];
        f.ReadFloat64("w", w64);
        f.ReadFloat32("w", w32);
        f.ReadFloat64("h", h64);
        Assert.Multiple(() =>
        {
            Assert.That(w64, Is.EqualTo(W.Select(x => (double)x)));
            Assert.That(w32.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(W.Select(BitConverter.SingleToInt32Bits)));
            Assert.That(h64, Is.EqualTo(new[] { 1.5, Math.ScaleB(1, -24), double.NegativeInfinity }));
        });
    }

    [Test]
    public void ReadFloat_ElementOffset_ReadsThatRange()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        var part = new double[3];
        f.ReadFloat64("w", 2, part);
        var part32 = new float[2];
        f.ReadFloat32("h", 1, part32);
        Assert.That(part, Is.EqualTo(W.Skip(2).Take(3).Select(x => (double)x)));
        Assert.That(part32, Is.EqualTo(new[] { (float)Half.Epsilon, float.NegativeInfinity }));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.ReadFloat64("w", 4, new double[3]));
    }

    [Test]
    public void ReadFloat_WrongDestinationLength_ArgumentException()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        Assert.Throws<ArgumentException>(() => f.ReadFloat64("w", new double[5]));
        Assert.Throws<ArgumentException>(() => f.ReadFloat32("w", new float[7]));
    }

    [Test]
    public void ReadFloat_IntegerTensor_UnsupportedDType()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        var e = Assert.Throws<SafetensorsException>(() => f.ReadFloat64("i", new double[2]))!;
        Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.UnsupportedDType));
        Assert.That(e.TensorName, Is.EqualTo("i"));
        Assert.That(e.Message, Does.Contain("I32"));
    }

    [Test]
    public void Get_UnknownName_TensorNotFound()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        var e = Assert.Throws<SafetensorsException>(() => f.GetBytes("missing"))!;
        Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.TensorNotFound));
        Assert.That(e.Message, Is.EqualTo($"{f.Path}: tensor 'missing': no such tensor in the file"));
    }

    [Test]
    public void CopyTensorBytes_EachTensor_SameAsView()
    {
        using var f = SafetensorsFile.Open(WriteFixture());
        foreach (var t in f.Tensors)
        {
            using var copy = new MemoryStream();
            f.CopyTensorBytes(t.Name, copy);
            Assert.That(copy.ToArray(), Is.EqualTo(f.GetBytes(t.Name).ToArray()), t.Name);
        }
    }

    [Test]
    public void Open_ReadAndDispose_FileUnchanged()
    {
        string path = WriteFixture();
        var before = File.ReadAllBytes(path);
        var stamp = File.GetLastWriteTimeUtc(path);
        using (var f = SafetensorsFile.Open(path))
        {
            f.ReadFloat64("w", new double[6]);
            f.CopyTensorBytes("h", Stream.Null);
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(stamp));
    }

    [Test]
    public void Dispose_ThenRead_ObjectDisposedException()
    {
        var f = SafetensorsFile.Open(WriteFixture());
        f.Dispose();
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.GetBytes("w"));
        Assert.Throws<ObjectDisposedException>(() => f.CopyTensorBytes("w", Stream.Null));
    }

    [Test]
    public void Open_MissingFile_IoErrorOnOneLine()
    {
        string path = _dir.File("absent.safetensors");
        var e = Assert.Throws<SafetensorsException>(() => SafetensorsFile.Open(path))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.Io));
            Assert.That(e, Is.InstanceOf<ModelFormatException>());
            Assert.That(e.Message, Does.StartWith(path + ": cannot open the file"));
            Assert.That(e.Message, Does.Not.Contain("\n"));
        });
    }

    [Test]
    public void Open_Directory_IoError()
    {
        var e = Assert.Throws<SafetensorsException>(() => SafetensorsFile.Open(_dir.Path))!;
        Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.Io));
    }

    [TestCase(0)]
    [TestCase(5)]
    public void Open_ShortFile_HeaderTooSmall(int length)
    {
        string path = _dir.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        var e = Assert.Throws<SafetensorsException>(() => SafetensorsFile.Open(path))!;
        Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.HeaderTooSmall));
    }

    [Test]
    public void Open_InvalidHeader_FileReleased()
    {
        string path = _dir.File("bad.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File("{}", 3));
        var e = Assert.Throws<SafetensorsException>(() => SafetensorsFile.Open(path))!;
        Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.MetadataIncompleteBuffer));
        using (var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            Assert.That(exclusive.Length, Is.EqualTo(13));
    }

    [Test]
    public void Open_FileReplacedByWriterWhileOpen_KeepsReadingOriginal()
    {
        string path = WriteFixture();
        using var f = SafetensorsFile.Open(path);
        var writer = new SafetensorsWriter();
        writer.Add("other", DType.U8, [3], new byte[] { 1, 2, 3 });
        writer.WriteTo(path);
        var w = new double[6];
        f.ReadFloat64("w", w);
        Assert.That(w, Is.EqualTo(W.Select(x => (double)x)));
        using var copy = new MemoryStream();
        f.CopyTensorBytes("i", copy);
        Assert.That(MemoryMarshal.Cast<byte, int>(copy.ToArray()).ToArray(), Is.EqualTo(I));
        using var replaced = SafetensorsFile.Open(path);
        Assert.That(replaced.Tensors.Single().Name, Is.EqualTo("other"));
    }
}
