using Alds.Engine.Calibration;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Calibration;

public class PatchExtractorTests
{
    // Oracle: the moment by brute force over output positions, reading the padded input directly.
    [TestCase(1, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 3, 3, 2, 2, 1, 1)]
    [TestCase(1, 0, 0, 0, 0, 2, 1)]
    public void Accumulate_Conv_MatchesBruteForceMoment(int stride, int top, int left, int bottom, int right, int dilation, int unused)
    {
        int cin = 3, h = 9, w = 8, kh = 3, kw = 2;
        var layer = new LayerSpec("c", LayerKind.Conv, 5, cin, kh, kw, "c.weight", null);
        var input = new LayerInput(layer, "x", stride, stride, top, left, bottom, right, dilation, dilation);
        var a = CalibrationMath.Random(cin * h * w, 21).Select(v => (float)v).ToArray();
        var moment = new SecondMoment(input.Order);
        PatchExtractor.Accumulate(input, a, [1, cin, h, w], moment);
        var (oh, ow) = input.OutputSize(h, w);
        int n = input.Order;
        var expected = new double[n * n];
        var patch = new double[n];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                for (int c = 0; c < cin; c++)
                    for (int y = 0; y < kh; y++)
                        for (int x = 0; x < kw; x++)
                        {
                            int iy = oy * stride - top + y * dilation, ix = ox * stride - left + x * dilation;
                            patch[(c * kh + y) * kw + x] = iy >= 0 && iy < h && ix >= 0 && ix < w ? a[(c * h + iy) * w + ix] : 0;
                        }
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) expected[i * n + j] += patch[i] * patch[j] / (oh * ow);
            }
        Assert.That(moment.Count, Is.EqualTo(oh * ow));
        var c2 = moment.Moment();
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) Assert.That(c2[i * n + j], Is.EqualTo(expected[i * n + j]).Within(1e-12));
    }

    [Test]
    public void Accumulate_LinearTokens_IsMeanOuterProduct()
    {
        var layer = new LayerSpec("fc", LayerKind.Linear, 3, 4, 1, 1, "fc.weight", null);
        var input = new LayerInput(layer, "x", 1, 1, 0, 0, 0, 0, 1, 1);
        float[] a = [1, 2, 3, 4, -1, 0, 2, 1, 0.5f, 0.5f, 0, -2];
        var moment = new SecondMoment(4);
        PatchExtractor.Accumulate(input, a, [1, 3, 4], moment);
        var c = moment.Moment();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j <= i; j++)
                Assert.That(c[i * 4 + j], Is.EqualTo((a[i] * a[j] + a[4 + i] * a[4 + j] + a[8 + i] * a[8 + j]) / 3.0).Within(1e-12));
    }

    [Test]
    public void Accumulate_NonFiniteActivation_RefusedNamingTheLayer()
    {
        var layer = new LayerSpec("fc7", LayerKind.Linear, 3, 2, 1, 1, "fc7.weight", null);
        var input = new LayerInput(layer, "hidden", 1, 1, 0, 0, 0, 0, 1, 1);
        var e = Assert.Throws<ModelFormatException>(() => PatchExtractor.Accumulate(input, [1, float.NaN], [1, 2], new SecondMoment(2)));
        Assert.That(e!.Message, Does.Contain("fc7"));
    }
}
