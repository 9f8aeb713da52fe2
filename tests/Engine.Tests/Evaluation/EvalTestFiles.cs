namespace Alds.Engine.Tests.Evaluation;

/// <summary>A temporary folder for one test fixture, with helpers for the files the evaluation tests need.</summary>
internal sealed class EvalTestFiles : IDisposable
{
    public EvalTestFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "alds-eval-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The ML.NET ResNet18 copied next to the test assembly by the CLI's package reference.</summary>
    public static string ResNet18 => Alds.Cli.DefaultModel.Path;

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>
    /// A folder of two images: chelsea.png and rocket.jpg from the skimage data folder when installed,
    /// else two synthetic PNGs (one colour, one gray).
    /// </summary>
    public string ImageFolder()
    {
        var folder = PathOf("images");
        Directory.CreateDirectory(folder);
        var real = new[] { "chelsea.png", "rocket.jpg" }.Select(n => Path.Combine(Engine.Evaluation.EvalImageSet.DefaultDirectory, n)).ToArray();
        if (real.All(File.Exists))
        {
            foreach (var file in real) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }
        else
        {
            PngWriter.WriteRgb(Path.Combine(folder, "a.png"), 64, 48, (y, x) => ((byte)(4 * x), (byte)(5 * y), (byte)((x * y) % 256)));
            PngWriter.WriteGray(Path.Combine(folder, "b.png"), 40, 50, (y, x) => (byte)((7 * x + 3 * y) % 256));
        }
        return folder;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
