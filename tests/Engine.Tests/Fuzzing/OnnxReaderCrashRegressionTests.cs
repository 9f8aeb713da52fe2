using Alds.Engine.Models;
using Alds.Engine.Tests.Models;
using Onnx;

namespace Alds.Engine.Tests.Fuzzing;

/// <summary>ONNX inputs that crashed <see cref="OnnxModelSource"/> with a non-format exception (see fuzz/README.md).</summary>
public class OnnxReaderCrashRegressionTests
{
    private TempDir _dir = null!;

    [SetUp]
    public void CreateDir() => _dir = new TempDir();

    [TearDown]
    public void DeleteDir() => _dir.Dispose();

    private static TensorProto External(string location, params long[] dims)
    {
        var t = new TensorProto
        {
            Name = "W",
            DataType = (int)TensorProto.Types.DataType.Float,
            DataLocation = TensorProto.Types.DataLocation.External,
            Dims = { dims },
        };
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        return t;
    }

    private ModelFormatException Refused(OnnxModelBuilder builder)
    {
        string path = builder.Write(_dir.Path);
        var ex = Assert.Throws<ModelFormatException>(() => new OnnxModelSource(path).Dispose())!;
        Assert.That(ex.Message, Does.StartWith(path).And.Not.Contain('\n'));
        return ex;
    }

    [Test]
    public void Open_ExternalLocationWithNulCharacter_RefusedAsFormatError()
    {
        var ex = Refused(new OnnxModelBuilder().Tensor(External("mod\0l.onnx", 2, 2)));
        Assert.That(ex.Message, Does.Contain("initializer 'W'").And.Contain("external data location"));
    }

    [TestCase(TensorProto.Types.DataType.Float, 1L << 61)]
    [TestCase(TensorProto.Types.DataType.Double, 1L << 60)]
    [TestCase(TensorProto.Types.DataType.Complex64, long.MaxValue / 4)]
    public void Open_ByteCountOverflowsLong_RefusedAsFormatError(TensorProto.Types.DataType type, long dim)
    {
        var tensor = new TensorProto { Name = "W", DataType = (int)type, Dims = { dim } };
        var ex = Refused(new OnnxModelBuilder().Tensor(tensor));
        Assert.That(ex.Message, Does.Contain("initializer 'W'").And.Contain("too many"));
    }

    [Test]
    public void Open_ExternalByteCountOverflowsLong_RefusedAsFormatError()
    {
        var ex = Refused(new OnnxModelBuilder().Tensor(External("model.onnx", 1L << 61)));
        Assert.That(ex.Message, Does.Contain("initializer 'W'").And.Contain("too many"));
    }

    [Test]
    public void Open_InitializerNameWithNewline_RefusalIsOneLine()
    {
        var ex = Refused(new OnnxModelBuilder().Ramp("a\nb", 2, 2).Ramp("a\nb", 2, 2));
        Assert.That(ex.Message, Does.Contain("'a b' is defined twice"));
    }
}
