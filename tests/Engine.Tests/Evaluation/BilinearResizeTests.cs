using Alds.Engine.Evaluation;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>Hand-computed values of the PIL-style triangle filter (pixel centres at half-integers).</summary>
public class BilinearResizeTests
{
    private static RgbImage Image(int width, int height, Func<int, int, int, byte> value)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = value(y, x, c);
        return new RgbImage(width, height, pixels);
    }

    private static float At(float[] planar, int width, int height, int c, int y, int x) => planar[(c * height + y) * width + x];

    [Test]
    public void CropResize_SameSize_ReturnsPixelsUnchangedInPlanarRgb()
    {
        var image = Image(5, 5, (y, x, c) => (byte)(50 * c + 7 * y + x));
        var output = BilinearResize.CropResize(image, new CropWindow(0, 0, 5), 5, 5);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 5; x++)
                    Assert.That(At(output, 5, 5, c, y, x), Is.EqualTo(image[y, x, c]));
    }

    [Test]
    public void CropResize_CropOfSameSize_ReturnsTheWindow()
    {
        var image = Image(5, 5, (y, x, c) => (byte)(10 * y + x + c));
        var output = BilinearResize.CropResize(image, new CropWindow(1, 2, 2), 2, 2);
        Assert.That(At(output, 2, 2, 0, 0, 0), Is.EqualTo(21f));
        Assert.That(At(output, 2, 2, 0, 1, 1), Is.EqualTo(32f));
        Assert.That(At(output, 2, 2, 2, 1, 0), Is.EqualTo(33f));
    }

    [Test]
    public void CropResize_Upscale2x_MatchesHandComputedWeights()
    {
        // p = [[0, 100], [40, 200]]; output row 1 samples y = 0.25 (weights 0.75, 0.25), column 2 samples x = 0.75 (0.25, 0.75).
        byte[,] p = { { 0, 100 }, { 40, 200 } };
        var image = Image(2, 2, (y, x, c) => p[y, x]);
        var output = BilinearResize.CropResize(image, new CropWindow(0, 0, 2), 4, 4);
        Assert.That(At(output, 4, 4, 0, 1, 2), Is.EqualTo(0.75 * (0.25 * 0 + 0.75 * 100) + 0.25 * (0.25 * 40 + 0.75 * 200)).Within(1e-4));
        Assert.That(At(output, 4, 4, 1, 0, 0), Is.EqualTo(0f), "edge: the tap outside the image is dropped");
        Assert.That(At(output, 4, 4, 2, 3, 3), Is.EqualTo(200f));
    }

    [Test]
    public void CropResize_Downscale2x_WidensTheFilter()
    {
        // Columns 0, 10, 20, 30 to 2 columns: support 2; centre 1 takes columns 0,1,2 with weights 0.75, 0.75, 0.25
        // (column -1 is outside), centre 3 takes columns 1,2,3 with 0.25, 0.75, 0.75; each normalised by 1.75.
        var image = Image(4, 4, (y, x, c) => (byte)(10 * x));
        var output = BilinearResize.CropResize(image, new CropWindow(0, 0, 4), 2, 2);
        Assert.That(At(output, 2, 2, 0, 0, 0), Is.EqualTo((0.75 * 0 + 0.75 * 10 + 0.25 * 20) / 1.75).Within(1e-4));
        Assert.That(At(output, 2, 2, 0, 1, 1), Is.EqualTo((0.25 * 10 + 0.75 * 20 + 0.75 * 30) / 1.75).Within(1e-4));
    }

    [Test]
    public void CropResize_ConstantImage_StaysConstant()
    {
        var image = Image(37, 23, (y, x, c) => (byte)(80 + c));
        var output = BilinearResize.CropResize(image, new CropWindow(3, 1, 21), 9, 13);
        for (int c = 0; c < 3; c++)
            Assert.That(output.Skip(c * 9 * 13).Take(9 * 13), Is.All.EqualTo(80f + c).Within(1e-4));
    }

    [Test]
    public void CropResize_WindowOutsideImage_Throws()
    {
        var image = Image(4, 4, (y, x, c) => 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => BilinearResize.CropResize(image, new CropWindow(1, 0, 4), 2, 2));
    }
}
