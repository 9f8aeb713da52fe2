using Alds.Cli;
using Google.Protobuf;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// <c>alds compress X.onnx -o Y.onnx</c> on a graph the rewriter cannot handle: refused before the analysis starts
/// (the analysis cache stays empty), exit 1, one line naming the node and why, no output file.
/// </summary>
public class OnnxRewritePreflightTests
{
    /// <summary>Relu → MatMul(16×16) → Add, opset 10, the MatMul's input of unknown rank (no negative Split axes before opset 11).</summary>
    private static void WriteOpset10MatMul(string path)
    {
        var m = NewModel(opset: 10);
        var g = m.Graph;
        var rng = new Random(4);
        g.Input.Add(Value("x", 2, 16));
        g.Output.Add(Value("y", null));
        g.Initializer.Add(Initializer("fc.weight", [16, 16], Random(rng, 256)));
        g.Initializer.Add(Initializer("fc.bias", [16], Random(rng, 16)));
        g.Node.Add(Node("Relu", "relu", ["x"], ["r"]));
        g.Node.Add(Node("MatMul", "fc_matmul", ["r", "fc.weight"], ["h"]));
        g.Node.Add(Node("Add", "fc_add", ["h", "fc.bias"], ["y"]));
        File.WriteAllBytes(path, m.ToByteArray());
    }

    [Test]
    public void Compress_UnrewritableGraph_RefusedBeforeTheAnalysis()
    {
        using var dir = new TempFolder();
        var model = dir["m.onnx"];
        WriteOpset10MatMul(model);
        var cache = dir.Sub("cache");

        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", dir["out.onnx"], "--cache", cache);

        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err.TrimEnd(), Does.Contain("node 'fc_matmul'").And.Contain("opset 10").And.Contain("--max-groups 1").And.Not.Contain("\n"));
        Assert.That(File.Exists(dir["out.onnx"]), Is.False);
        Assert.That(Directory.EnumerateFileSystemEntries(cache), Is.Empty, "the analysis must not have started");
    }

    [Test]
    public void Compress_SameGraphWithMaxGroupsOne_Succeeds()
    {
        using var dir = new TempFolder();
        var model = dir["m.onnx"];
        WriteOpset10MatMul(model);

        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", dir["out.onnx"], "--max-groups", "1");

        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        Assert.That(File.Exists(dir["out.onnx"]), Is.True);
    }

    [Test]
    public void Compress_SameGraphToSafetensors_NotRefused()
    {
        using var dir = new TempFolder();
        var model = dir["m.onnx"];
        WriteOpset10MatMul(model);

        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", dir["out.safetensors"]);

        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
    }
}
