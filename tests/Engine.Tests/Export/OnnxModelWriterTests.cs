using Alds.Engine.Export;
using Google.Protobuf;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Export;

public class OnnxModelWriterTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "alds-onnx-writer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static ModelProto Model()
    {
        var m = NewModel();
        m.Graph.Input.Add(Value("x", 2));
        m.Graph.Output.Add(Value("y", 2));
        m.Graph.Node.Add(Node("Relu", "relu", ["x"], ["y"]));
        return m;
    }

    [Test]
    public void Write_NewPath_RoundTripsAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "m.onnx");
        var model = Model();

        OnnxModelWriter.Write(model, path);

        Assert.That(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)), Is.EqualTo(model));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Write_ExistingFile_IsReplaced()
    {
        var path = Path.Combine(_dir, "m.onnx");
        File.WriteAllText(path, "old contents that are longer than the new model, to catch a missing truncation ........................................");
        var model = Model();

        OnnxModelWriter.Write(model, path);

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(model.ToByteArray()));
    }

    [Test]
    public void Write_DestinationIsADirectory_ThrowsAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "taken");
        Directory.CreateDirectory(path);

        Assert.Catch<IOException>(() => OnnxModelWriter.Write(Model(), path));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
        Assert.That(Directory.Exists(path));
    }
}
