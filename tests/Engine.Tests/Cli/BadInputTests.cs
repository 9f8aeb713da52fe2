using Alds.Cli;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// Bad model files and bad options: exit 1 (bad input) or 2 (usage), one line on stderr naming the file,
/// no stack trace without <c>--verbose</c>, and nothing written to the output folder.
/// </summary>
public class BadInputTests
{
    private TempFolder _dir = null!;
    private string _in = null!, _out = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempFolder();
        _in = _dir.Sub("in");
        _out = _dir.Sub("out");
    }

    [TearDown] public void TearDown() => _dir.Dispose();

    public static readonly string[] Cases =
        ["missing", "directory", "empty.onnx", "empty.safetensors", "garbage.onnx", "garbage.safetensors", "garbage.bin",
         "truncated.onnx", "truncated.safetensors", "png.onnx"];

    /// <summary>Creates the bad input named by <paramref name="kind"/> in <c>in/</c> and returns its path.</summary>
    private string Make(string kind)
    {
        var path = Path.Combine(_in, kind);
        switch (kind)
        {
            case "missing": break;
            case "directory": Directory.CreateDirectory(path); break;
            case "empty.onnx" or "empty.safetensors": File.WriteAllBytes(path, []); break;
            case "garbage.onnx" or "garbage.safetensors" or "garbage.bin":
                var bytes = new byte[4096];
                new Random(kind.Length).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                break;
            case "truncated.onnx":
                var onnx = File.ReadAllBytes(AldsRunner.EmbeddedModel);
                File.WriteAllBytes(path, onnx[..(onnx.Length / 2)]);
                break;
            case "truncated.safetensors":
                var whole = Path.Combine(_dir.Path, "whole.safetensors");
                SmallModel.Write(whole);
                var st = File.ReadAllBytes(whole);
                File.Delete(whole);
                File.WriteAllBytes(path, st[..(st.Length - 1000)]);
                break;
            case "png.onnx":
                Evaluation.PngWriter.WriteGray(path, 8, 8, (x, y) => (byte)(x * y));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return path;
    }

    [TestCaseSource(nameof(Cases))]
    public void Compress_BadModelFile_ExitOneOneLineNothingWritten(string kind)
    {
        var model = Make(kind);
        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", Path.Combine(_out, "x.safetensors"));
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.OneLineError(r, kind);
        CliAssert.FolderHolds(_out);
        Assert.That(Directory.EnumerateFileSystemEntries(_in).Select(Path.GetFileName),
            Is.EquivalentTo(kind == "missing" ? Array.Empty<string>() : [kind]), "the input folder gained files");
    }

    [TestCaseSource(nameof(Cases))]
    public void Inspect_BadModelFile_ExitOneOneLine(string kind)
    {
        var r = AldsRunner.Run("inspect", Make(kind));
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.OneLineError(r, kind);
        Assert.That(r.Out, Is.Empty);
    }

    [Test]
    public void Compress_BadModelFileVerbose_PrintsTheStackTrace()
    {
        var r = AldsRunner.Run("compress", Make("garbage.onnx"), "--keep", "0.5", "-o", Path.Combine(_out, "x.safetensors"), "--verbose");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        Assert.That(CliAssert.Lines(r.Err)[0], Does.StartWith("alds: ").And.Contain("garbage.onnx"));
        Assert.That(r.Err, Does.Contain("   at "));
        CliAssert.FolderHolds(_out);
    }

    [TestCase(new[] { "--keep", "0.5", "--bogus" }, "--bogus")]
    [TestCase(new[] { "--keep", "0" }, "--keep")]
    [TestCase(new[] { "--keep", "1.5" }, "--keep")]
    [TestCase(new[] { "--keep", "-0.5" }, "--keep")]
    [TestCase(new[] { "--keep", "0.5", "--params", "1000" }, "exactly one budget")]
    [TestCase(new string[0], "exactly one budget")]
    public void Compress_BadOptions_ExitTwoNothingWritten(string[] options, string mention)
    {
        var model = Path.Combine(_in, "small.safetensors");
        SmallModel.Write(model);
        var r = AldsRunner.Run(["compress", model, "-o", Path.Combine(_out, "x.safetensors"), .. options]);
        CliAssert.UsageError(r, mention);
        CliAssert.FolderHolds(_out);
    }

    [Test]
    public void Compress_UnreachableBudget_ExitOneSaysSmallestReachableKeep()
    {
        var model = Path.Combine(_in, "small.safetensors");
        SmallModel.Write(model);
        var r = AldsRunner.Run("compress", model, "--params", "10", "-o", Path.Combine(_out, "x.safetensors"));
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "smallest reachable keep");
        CliAssert.FolderHolds(_out);
    }

    [TestCase("compress")]
    [TestCase("plan")]
    public void NaNWeight_ExitOneNamesTheTensorNothingWritten(string command)
    {
        var model = Path.Combine(_in, "nan.safetensors");
        SmallModel.Write(model, nanAt: 1000);
        var r = command == "compress"
            ? AldsRunner.Run(command, model, "--keep", "0.5", "-o", Path.Combine(_out, "x.safetensors"))
            : AldsRunner.Run(command, model, "--keep", "0.5");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "nan.safetensors", SmallModel.Conv);
        Assert.That(r.Err, Does.Contain("NaN").IgnoreCase);
        CliAssert.FolderHolds(_out);
    }
}
