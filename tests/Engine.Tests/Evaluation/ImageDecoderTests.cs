using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Evaluation;

public class ImageDecoderTests
{
    private EvalTestFiles _files = null!;

    [SetUp] public void SetUp() => _files = new EvalTestFiles();
    [TearDown] public void TearDown() => _files.Dispose();

    [Test]
    public void Load_RgbPng_ReturnsTheWrittenPixels()
    {
        var path = _files.PathOf("rgb.png");
        PngWriter.WriteRgb(path, 7, 5, (y, x) => ((byte)(30 * x), (byte)(40 * y), (byte)(x + y)));
        var image = ImageDecoder.Load(path);
        Assert.That((image.Width, image.Height), Is.EqualTo((7, 5)));
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++)
                Assert.That((image[y, x, 0], image[y, x, 1], image[y, x, 2]), Is.EqualTo(((byte)(30 * x), (byte)(40 * y), (byte)(x + y))));
    }

    [Test]
    public void Load_GrayPng_ReplicatesToThreeChannels()
    {
        var path = _files.PathOf("gray.png");
        PngWriter.WriteGray(path, 3, 4, (y, x) => (byte)(60 * y + x));
        var image = ImageDecoder.Load(path);
        Assert.That(image[3, 2, 0], Is.EqualTo(182));
        Assert.That(image[3, 2, 1], Is.EqualTo(182));
        Assert.That(image[3, 2, 2], Is.EqualTo(182));
    }

    [Test]
    public void Load_Jpeg_DecodesWithItsSize()
    {
        var rocket = Path.Combine(EvalImageSet.DefaultDirectory, "rocket.jpg");
        Oracles.Requires.Photographs();
        var image = ImageDecoder.Load(rocket);
        Assert.That((image.Width, image.Height), Is.EqualTo((640, 427)));
    }

    [Test]
    public void Load_Garbage_ThrowsModelFormatExceptionNamingTheFile()
    {
        var path = _files.PathOf("garbage.png");
        File.WriteAllText(path, "this is not a picture");
        var e = Assert.Throws<ModelFormatException>(() => ImageDecoder.Load(path));
        Assert.That(e!.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }
}
