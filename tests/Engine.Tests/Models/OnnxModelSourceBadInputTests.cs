using System.Text;
using Alds.Engine.Models;
using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.Models;

public class OnnxModelSourceBadInputTests
{
    private TempDir _dir = null!;

    [SetUp]
    public void CreateDir() => _dir = new TempDir();

    [TearDown]
    public void DeleteDir() => _dir.Dispose();

    private static ModelFormatException AssertRefused(string path)
    {
        var ex = Assert.Throws<ModelFormatException>(() => new OnnxModelSource(path).Dispose())!;
        Assert.That(ex.Message, Does.Contain(Path.GetFileName(path)));
        Assert.That(ex.Message, Does.Not.Contain('\n'));
        return ex;
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void Open_EmptyFile_Refused() =>
        Assert.That(AssertRefused(WriteBytes("empty.onnx", [])).Message, Does.EndWith("not an ONNX model (empty file)"));

    [Test]
    public void Open_PngBytes_Refused()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A,
            0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89];
        AssertRefused(WriteBytes("image.onnx", png));
    }

    [Test]
    public void Open_SafetensorsBytes_Refused()
    {
        string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] bytes = [.. BitConverter.GetBytes((ulong)header.Length), .. Encoding.UTF8.GetBytes(header), .. new byte[8]];
        AssertRefused(WriteBytes("model.safetensors", bytes));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void Open_RandomBytes_Refused(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        AssertRefused(WriteBytes($"garbage{seed}.onnx", bytes));
    }

    [Test]
    public void Open_TruncatedResNet18_Refused()
    {
        var bytes = File.ReadAllBytes(OnnxModelSourceResNet18Tests.ModelPath);
        var ex = AssertRefused(WriteBytes("half.onnx", bytes[..(bytes.Length / 2)]));
        Assert.That(ex.Message, Does.Contain("not an ONNX model"));
    }

    [Test]
    public void Open_EveryTruncationOfSmallModel_OpensOrRefusedNeverOtherException()
    {
        var full = new OnnxModelBuilder()
            .Ramp("fc.weight", 4, 3).Ramp("fc.bias", 4)
            .Node("Gemm", ["x", "fc.weight", "fc.bias"], ["y"], OnnxModelBuilder.Int("transB", 1))
            .Model.ToByteArray();
        int refused = 0;
        for (int cut = 0; cut < full.Length; cut++)
        {
            string path = WriteBytes($"cut{cut}.onnx", full[..cut]);
            try
            {
                using var src = new OnnxModelSource(path);
            }
            catch (ModelFormatException ex)
            {
                Assert.That(ex.Message, Does.Contain(Path.GetFileName(path)).And.Not.Contain('\n'));
                refused++;
            }
        }
        // Cuts inside the graph (all but the few bytes of ir_version / opset_import framing) must fail.
        Assert.That(refused, Is.GreaterThan(full.Length - 20));
    }

    [Test]
    public void Open_MissingFile_Refused() =>
        Assert.That(AssertRefused(_dir.File("absent.onnx")).Message, Does.EndWith("file not found"));

    [Test]
    public void Open_Directory_Refused() => AssertRefused(Directory.CreateDirectory(_dir.File("folder.onnx")).FullName);

    [Test]
    public void Open_ModelWithoutGraph_Refused()
    {
        var model = new ModelProto { IrVersion = 8 };
        var ex = AssertRefused(WriteBytes("nograph.onnx", model.ToByteArray()));
        Assert.That(ex.Message, Does.Contain("no graph"));
    }

    [Test]
    public void Open_RawDataShorterThanDims_RefusedNamingTensor()
    {
        var t = new TensorProto { Name = "short_w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2, 3 }, RawData = ByteString.CopyFrom(new byte[20]) };
        var ex = AssertRefused(new OnnxModelBuilder().Tensor(t).Write(_dir.Path));
        Assert.That(ex.Message, Does.Contain("'short_w'").And.Contain("20 bytes"));
    }

    [Test]
    public void Open_FloatDataCountNotMatchingDims_RefusedNamingTensor()
    {
        var b = new OnnxModelBuilder().Float("typed_w", [2, 3], [1, 2, 3, 4, 5], raw: false);
        var ex = AssertRefused(b.Write(_dir.Path));
        Assert.That(ex.Message, Does.Contain("'typed_w'").And.Contain("float_data holds 5"));
    }

    [Test]
    public void Open_NegativeDimOrDuplicateName_Refused()
    {
        var neg = new OnnxModelBuilder().Tensor(new TensorProto { Name = "n", DataType = 1, Dims = { -1 } });
        Assert.That(AssertRefused(neg.Write(_dir.Path, "neg.onnx")).Message, Does.Contain("negative"));

        var dup = new OnnxModelBuilder().Ramp("d", 2).Ramp("d", 2);
        Assert.That(AssertRefused(dup.Write(_dir.Path, "dup.onnx")).Message, Does.Contain("'d' is defined twice"));
    }
}
