using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Evaluation;

public class RandomCropsTests
{
    [Test]
    public void Generate_SameArguments_SameCrops()
    {
        var a = RandomCrops.Generate(741, 500, 6, 42, "motorcycle_left.png");
        var b = RandomCrops.Generate(741, 500, 6, 42, "motorcycle_left.png");
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void Generate_FirstCropOfMoreCrops_IsTheSame()
    {
        var few = RandomCrops.Generate(512, 512, 2, 7, "astronaut.png");
        var many = RandomCrops.Generate(512, 512, 5, 7, "astronaut.png");
        Assert.That(many.Take(2), Is.EqualTo(few));
    }

    [Test]
    public void Generate_PinnedSeed_PinnedCrops()
    {
        // Guards reproducibility across releases: changing the generator changes every reported number.
        // The values come from an independent Python transcription of SplitMix64 + FNV-1a.
        var crops = RandomCrops.Generate(512, 512, 2, 20261127, "astronaut.png");
        Assert.That(crops, Is.EqualTo(PinnedAstronaut));
    }

    private static readonly CropWindow[] PinnedAstronaut = [new(25, 37, 340), new(36, 50, 451)];

    [Test]
    public void Generate_OtherNameOrSeed_OtherCrops()
    {
        var a = RandomCrops.Generate(640, 427, 4, 1, "rocket.jpg");
        Assert.That(RandomCrops.Generate(640, 427, 4, 1, "coffee.png"), Is.Not.EqualTo(a));
        Assert.That(RandomCrops.Generate(640, 427, 4, 2, "rocket.jpg"), Is.Not.EqualTo(a));
    }

    [TestCase(1, 1)]
    [TestCase(2, 9)]
    [TestCase(741, 500)]
    [TestCase(300, 451)]
    public void Generate_AnySize_SquareCropsInsideWithSideFromHalfToShorterSide(int width, int height)
    {
        int shorter = Math.Min(width, height);
        foreach (var crop in RandomCrops.Generate(width, height, 200, 3, "x"))
        {
            Assert.That(crop.Size, Is.InRange((int)Math.Ceiling(shorter / 2.0), shorter));
            Assert.That(crop.X, Is.InRange(0, width - crop.Size));
            Assert.That(crop.Y, Is.InRange(0, height - crop.Size));
        }
    }
}
