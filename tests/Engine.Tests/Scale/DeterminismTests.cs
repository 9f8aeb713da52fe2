using System.Diagnostics;
using Alds.Engine.Tests.Models;

namespace Alds.Engine.Tests.Scale;

/// <summary>
/// <c>alds compress</c> run as a separate process twice, with 1 and with 3 processors
/// (<c>DOTNET_PROCESSOR_COUNT</c>), from different directories, input names and output names:
/// the outputs must be byte-identical (nothing may depend on thread order, timing or paths).
/// </summary>
public class DeterminismTests
{
    private TempDir _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempDir();
    [TearDown] public void TearDown() => _dir.Dispose();

    private static void Compress(string workingDirectory, int processors, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "alds.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(cli);
        info.ArgumentList.Add("compress");
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_PROCESSOR_COUNT"] = processors.ToString();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, stderr + stdout.Result);
    }

    private (string a, string b) TwoPlaces(Func<string, string> writeInput, string inputName)
    {
        var a = Directory.CreateDirectory(_dir.File("a")).FullName;
        var b = Directory.CreateDirectory(_dir.File("b/deeper")).FullName;
        return (writeInput(Path.Combine(a, inputName)), writeInput(Path.Combine(b, "renamed-" + inputName)));
    }

    [Test]
    public void Compress_Safetensors_SameBytesForOneAndThreeThreads()
    {
        var (a, b) = TwoPlaces(ScaleModels.WriteSingle, "model.safetensors");
        string[] options = ["--schemes", "all", "--keep", "0.45"];
        Compress(Path.GetDirectoryName(a)!, 1, [a, "-o", "out.safetensors", .. options]);
        Compress(Path.GetDirectoryName(b)!, 3, [b, "-o", _dir.File("elsewhere.safetensors"), .. options]);
        Assert.That(File.ReadAllBytes(_dir.File("elsewhere.safetensors")),
            Is.EqualTo(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(a)!, "out.safetensors"))));
    }

    [Test]
    public void Compress_Onnx_SameBytesForOneAndThreeThreads()
    {
        var (a, b) = TwoPlaces(ScaleModels.WriteOnnxChain, "chain.onnx");
        string[] options = ["--schemes", "all", "--keep", "0.5"];
        Compress(Path.GetDirectoryName(a)!, 1, [a, "-o", "out.onnx", .. options]);
        Compress(Path.GetDirectoryName(b)!, 3, [b, "-o", _dir.File("other.onnx"), .. options]);
        var first = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(a)!, "out.onnx"));
        Assert.That(first, Has.Length.GreaterThan(1000));
        Assert.That(File.ReadAllBytes(_dir.File("other.onnx")), Is.EqualTo(first));
    }

    [Test]
    public void Compress_Sharded_SameFilesForOneAndThreeThreads()
    {
        var a = ScaleModels.WriteSharded(_dir.File("in-a"));
        var b = ScaleModels.WriteSharded(_dir.File("in-b/x"));
        Compress(_dir.Path, 1, [Path.GetDirectoryName(a)!, "-o", "out-a", "--keep", "0.5"]);
        Compress(Path.GetDirectoryName(b)!, 3, [b, "-o", _dir.File("out-b/model.safetensors.index.json"), "--keep", "0.5"]);
        var files = Directory.GetFiles(_dir.File("out-a")).Select(Path.GetFileName).Order().ToArray();
        Assert.That(files, Has.Length.EqualTo(4));
        Assert.That(Directory.GetFiles(_dir.File("out-b")).Select(Path.GetFileName).Order(), Is.EqualTo(files));
        foreach (var f in files)
            Assert.That(File.ReadAllBytes(_dir.File("out-b/" + f)), Is.EqualTo(File.ReadAllBytes(_dir.File("out-a/" + f!))), f);
    }
}
