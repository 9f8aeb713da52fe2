using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Tensors;
using Google.Protobuf;
using Onnx;
using OnnxType = Onnx.TensorProto.Types.DataType;

namespace Alds.Engine.Tests.Models;

public class OnnxModelSourceDataTests
{
    private TempDir _dir = null!;

    [SetUp]
    public void CreateDir() => _dir = new TempDir();

    [TearDown]
    public void DeleteDir() => _dir.Dispose();

    private static readonly float[] Values = [1.5f, -2.25f, 0f, 3.0e-8f, float.MaxValue, -1e-30f];

    [Test]
    public void ReadFloat64_FloatDataAndRawData_SameValues()
    {
        var b = new OnnxModelBuilder().Float("raw", [2, 3], Values).Float("typed", [2, 3], Values, raw: false);
        using var src = new OnnxModelSource(b.Write(_dir.Path));
        var raw = new double[6];
        var typed = new double[6];
        src.ReadFloat64("raw", raw);
        src.ReadFloat64("typed", typed);

        Assert.That(raw, Is.EqualTo(Values.Select(v => (double)v)));
        Assert.That(typed, Is.EqualTo(raw));
        Assert.That(src.Tensors, Is.EqualTo(new[] { new TensorEntry("raw", DType.F32, [2, 3]), new TensorEntry("typed", DType.F32, [2, 3]) })
            .Using<TensorEntry>((x, y) => x.Name == y.Name && x.DType == y.DType && x.Shape.SequenceEqual(y.Shape)));
    }

    // F16 bit patterns by hand: 1.5 = 0x3E00, -2.25 = 0xC080, 65504 = 0x7BFF (max), 2^-24 = 0x0001 (smallest subnormal).
    private static readonly ushort[] HalfBits = [0x3E00, 0xC080, 0x7BFF, 0x0001];
    private static readonly double[] HalfValues = [1.5, -2.25, 65504, Math.Pow(2, -24)];

    [Test]
    public void ReadFloat64_Float16RawAndInt32Data_DecodedExactly()
    {
        var raw = new TensorProto { Name = "h_raw", DataType = (int)OnnxType.Float16, Dims = { 4 } };
        raw.RawData = ByteString.CopyFrom(HalfBits.SelectMany(BitConverter.GetBytes).ToArray());
        var typed = new TensorProto { Name = "h_typed", DataType = (int)OnnxType.Float16, Dims = { 4 } };
        typed.Int32Data.Add(HalfBits.Select(h => (int)h));
        using var src = new OnnxModelSource(new OnnxModelBuilder().Tensor(raw).Tensor(typed).Write(_dir.Path));

        var a = new double[4];
        var c = new double[4];
        src.ReadFloat64("h_raw", a);
        src.ReadFloat64("h_typed", c);
        Assert.That(a, Is.EqualTo(HalfValues));
        Assert.That(c, Is.EqualTo(HalfValues));
        Assert.That(src.Tensors[0].DType, Is.EqualTo(DType.F16));
    }

    [Test]
    public void ReadFloat64_BFloat16AndDouble_DecodedExactly()
    {
        // BF16: 1.0 = 0x3F80, -3.0 = 0xC040, 0.5 = 0x3F00.
        var bf = new TensorProto { Name = "bf", DataType = (int)OnnxType.Bfloat16, Dims = { 3 } };
        bf.Int32Data.Add([0x3F80, 0xC040, 0x3F00]);
        var dbl = new TensorProto { Name = "d", DataType = (int)OnnxType.Double, Dims = { 2 } };
        dbl.DoubleData.Add([Math.PI, -1e300]);
        using var src = new OnnxModelSource(new OnnxModelBuilder().Tensor(bf).Tensor(dbl).Write(_dir.Path));

        var x = new double[3];
        var y = new double[2];
        src.ReadFloat64("bf", x);
        src.ReadFloat64("d", y);
        Assert.That(x, Is.EqualTo(new[] { 1.0, -3.0, 0.5 }));
        Assert.That(y, Is.EqualTo(new[] { Math.PI, -1e300 }));
    }

    [TestCase(OnnxType.Float, DType.F32)]
    [TestCase(OnnxType.Double, DType.F64)]
    [TestCase(OnnxType.Float16, DType.F16)]
    [TestCase(OnnxType.Bfloat16, DType.BF16)]
    [TestCase(OnnxType.Int64, DType.I64)]
    [TestCase(OnnxType.Int32, DType.I32)]
    [TestCase(OnnxType.Int16, DType.I16)]
    [TestCase(OnnxType.Int8, DType.I8)]
    [TestCase(OnnxType.Uint8, DType.U8)]
    [TestCase(OnnxType.Uint16, DType.U16)]
    [TestCase(OnnxType.Uint32, DType.U32)]
    [TestCase(OnnxType.Uint64, DType.U64)]
    [TestCase(OnnxType.Bool, DType.BOOL)]
    public void MapDataType_KnownType_MapsToEngineType(OnnxType onnx, DType expected) =>
        Assert.That(OnnxModelSource.MapDataType((int)onnx), Is.EqualTo(expected));

    [TestCase(OnnxType.String)]
    [TestCase(OnnxType.Complex128)]
    [TestCase(OnnxType.Undefined)]
    [TestCase(OnnxType.Int4)]
    public void MapDataType_UnsupportedType_Null(OnnxType onnx) =>
        Assert.That(OnnxModelSource.MapDataType((int)onnx), Is.Null);

    [Test]
    public void Tensors_StringAndInt64Initializers_StringSkippedInt64ListedNotReadable()
    {
        var s = new TensorProto { Name = "labels", DataType = (int)OnnxType.String, Dims = { 2 } };
        s.StringData.Add([ByteString.CopyFromUtf8("cat"), ByteString.CopyFromUtf8("dog")]);
        var i = new TensorProto { Name = "axes", DataType = (int)OnnxType.Int64, Dims = { 2 } };
        i.Int64Data.Add([0L, 1L]);
        using var src = new OnnxModelSource(new OnnxModelBuilder().Tensor(s).Tensor(i).Write(_dir.Path));

        Assert.That(src.Tensors.Select(t => (t.Name, t.DType)), Is.EqualTo(new[] { ("axes", DType.I64) }));
        Assert.That(src.Skipped, Is.EqualTo(new[]
        {
            new SkippedTensor("labels", "unsupported element type STRING"),
            new SkippedTensor("axes", "1-D tensor (bias or norm)"),
        }));
        Assert.Throws<ArgumentException>(() => src.ReadFloat64("labels", new double[2]));
        Assert.Throws<ArgumentException>(() => src.ReadFloat64("axes", new double[2]));
        Assert.Throws<ArgumentException>(() => src.ReadFloat64("nope", new double[2]));
    }

    private static TensorProto External(string name, long[] dims, string location, long? offset = null, long? length = null)
    {
        var t = new TensorProto { Name = name, DataType = (int)OnnxType.Float, Dims = { dims }, DataLocation = TensorProto.Types.DataLocation.External };
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset is not null)
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.Value.ToString() });
        if (length is not null)
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.Value.ToString() });
        return t;
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    [Test]
    public void ReadWeight_ExternalDataAtOffsetInSubfolder_LoadedRelativeToModel()
    {
        Directory.CreateDirectory(_dir.File("data"));
        File.WriteAllBytes(_dir.File("data/w.bin"), [.. new byte[16], .. Bytes(Values), .. new byte[8]]);
        var b = new OnnxModelBuilder()
            .Tensor(External("W", [2, 3], "data/w.bin", offset: 16, length: 24))
            .Node("Gemm", ["x", "W"], ["y"], OnnxModelBuilder.Int("transB", 1));
        using var src = new OnnxModelSource(b.Write(_dir.Path));

        var w = new double[6];
        src.ReadWeight(src.Layers.Single(), w);
        Assert.That(w, Is.EqualTo(Values.Select(v => (double)v)));
    }

    [Test]
    public void ReadFloat64_LargeExternalTensor_ReadAcrossChunks()
    {
        // 300,000 floats = 1.2 MB: more than one 1 MiB read chunk.
        var values = Enumerable.Range(0, 300_000).Select(i => (float)Math.Sin(i)).ToArray();
        File.WriteAllBytes(_dir.File("big.bin"), Bytes(values));
        var b = new OnnxModelBuilder().Tensor(External("big", [300_000], "big.bin"));
        using var src = new OnnxModelSource(b.Write(_dir.Path));

        var x = new double[values.Length];
        src.ReadFloat64("big", x);
        Assert.That(x, Is.EqualTo(values.Select(v => (double)v)));
    }

    [TestCase("../outside.bin")]
    [TestCase("data/../../outside.bin")]
    public void Open_ExternalDataOutsideModelDirectory_Refused(string location)
    {
        string model = Directory.CreateDirectory(_dir.File("model")).FullName;
        File.WriteAllBytes(_dir.File("outside.bin"), Bytes(Values));
        var b = new OnnxModelBuilder().Tensor(External("W", [2, 3], location));

        var ex = Assert.Throws<ModelFormatException>(() => new OnnxModelSource(b.Write(model)));
        Assert.That(ex.Message, Does.Contain("model.onnx").And.Contain("'W'").And.Contain("outside the model's directory"));
    }

    [Test]
    public void Open_ExternalDataAbsolutePath_Refused()
    {
        string model = Directory.CreateDirectory(_dir.File("model")).FullName;
        File.WriteAllBytes(_dir.File("outside.bin"), Bytes(Values));
        var b = new OnnxModelBuilder().Tensor(External("W", [2, 3], _dir.File("outside.bin")));

        var ex = Assert.Throws<ModelFormatException>(() => new OnnxModelSource(b.Write(model)));
        Assert.That(ex.Message, Does.Contain("outside the model's directory"));
    }

    [Test]
    public void Open_ExternalDataFileTooShort_Refused()
    {
        File.WriteAllBytes(_dir.File("w.bin"), Bytes(Values));
        var b = new OnnxModelBuilder().Tensor(External("W", [2, 3], "w.bin", offset: 4));

        var ex = Assert.Throws<ModelFormatException>(() => new OnnxModelSource(b.Write(_dir.Path)));
        Assert.That(ex.Message, Does.Contain("'W'").And.Contain("too short"));
    }

    [Test]
    public void Open_ExternalDataMissingFileOrBadLength_Refused()
    {
        var missing = new OnnxModelBuilder().Tensor(External("W", [2, 3], "nope.bin"));
        Assert.That(() => new OnnxModelSource(missing.Write(_dir.Path, "a.onnx")),
            Throws.TypeOf<ModelFormatException>().With.Message.Contains("not found"));

        File.WriteAllBytes(_dir.File("w.bin"), Bytes(Values));
        var badLength = new OnnxModelBuilder().Tensor(External("W", [2, 3], "w.bin", length: 20));
        Assert.That(() => new OnnxModelSource(badLength.Write(_dir.Path, "b.onnx")),
            Throws.TypeOf<ModelFormatException>().With.Message.Contains("length 20"));
    }
}
