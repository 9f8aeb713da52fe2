namespace Alds.Engine.Tests.Cli;

/// <summary>Every command's human-readable (table) output on a small model: exit 0, nothing on stderr.</summary>
public class TableOutputTests
{
    [TestCase("inspect")]
    [TestCase("analyze")]
    [TestCase("analyze", "--schemes", "all")]
    [TestCase("plan", "--keep", "0.5")]
    [TestCase("plan", "--keep", "0.5", "--optimizer", "paper")]
    [TestCase("frontier", "--points", "5")]
    public void Command_TableOutput_SucceedsWithoutErrors(params string[] args)
    {
        using var folder = new TempFolder();
        var model = folder["small.safetensors"];
        SmallModel.Write(model);
        var result = AldsRunner.Run([args[0], model, .. args[1..]]);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Err, Does.Not.Contain("error"), result.ToString());
    }

    [Test]
    public void Compress_TableOutput_SucceedsAndNamesOutput()
    {
        using var folder = new TempFolder();
        var model = folder["small.safetensors"];
        SmallModel.Write(model);
        var result = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", folder["out.safetensors"]);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("out.safetensors"));
        Assert.That(File.Exists(folder["out.safetensors"]));
    }
}
