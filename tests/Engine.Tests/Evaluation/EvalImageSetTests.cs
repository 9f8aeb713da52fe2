using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Evaluation;

public class EvalImageSetTests
{
    private EvalTestFiles _files = null!;

    [SetUp] public void SetUp() => _files = new EvalTestFiles();
    [TearDown] public void TearDown() => _files.Dispose();

    [Test]
    public void Resolve_Folder_ImagesOnlySortedByName()
    {
        var folder = _files.PathOf("mixed");
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "b.jpg", "a.PNG", "c.jpeg", "notes.txt", "d.gif" })
            File.WriteAllText(Path.Combine(folder, name), "");
        var names = EvalImageSet.Resolve(folder).Select(Path.GetFileName);
        Assert.That(names, Is.EqualTo(new[] { "a.PNG", "b.jpg", "c.jpeg" }));
    }

    [Test]
    public void Resolve_FolderWithoutImages_ThrowsNamingTheFolder()
    {
        var folder = _files.PathOf("empty");
        Directory.CreateDirectory(folder);
        var e = Assert.Throws<ModelFormatException>(() => EvalImageSet.Resolve(folder));
        Assert.That(e!.Message, Does.Contain(folder).And.Contain("no .png"));
    }

    [Test]
    public void Resolve_MissingFolder_Throws() =>
        Assert.Throws<ModelFormatException>(() => EvalImageSet.Resolve(_files.PathOf("absent")));

    [Test]
    public void Resolve_Default_EveryListedPhotograph()
    {
        Oracles.Requires.Photographs();
        Assert.That(EvalImageSet.Resolve(null), Has.Count.EqualTo(EvalImageSet.DefaultNames.Count));
    }
}
