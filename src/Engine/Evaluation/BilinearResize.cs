namespace Alds.Engine.Evaluation;

/// <summary>
/// Crops and resizes an image with a bilinear (triangle) filter, pixel centres at half-integers, as PIL's
/// <c>Image.resize(..., BILINEAR)</c>: when shrinking, the filter widens by the scale factor (antialiasing);
/// taps outside the window are dropped and the remaining weights renormalised.
/// Precision: weights and sums in float64, results rounded once to float32; values stay in [0, 255].
/// </summary>
internal static class BilinearResize
{
    /// <summary>Planar RGB floats in [0, 255], layout [3, height, width] (channel 0 = R).</summary>
    public static float[] CropResize(RgbImage image, CropWindow crop, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (crop.Size < 1 || crop.X < 0 || crop.Y < 0 || crop.X + crop.Size > image.Width || crop.Y + crop.Size > image.Height)
            throw new ArgumentOutOfRangeException(nameof(crop), $"{crop} is not inside a {image.Width}x{image.Height} image");

        var horizontal = Taps(crop.Size, width);
        var vertical = Taps(crop.Size, height);

        // Horizontal pass over the crop's rows: [crop.Size rows, width, 3], interleaved.
        var rows = new double[crop.Size * width * 3];
        for (int r = 0; r < crop.Size; r++)
        {
            int rowStart = ((crop.Y + r) * image.Width + crop.X) * 3;
            for (int x = 0; x < width; x++)
            {
                var (first, weights) = horizontal[x];
                double red = 0, green = 0, blue = 0;
                for (int t = 0; t < weights.Length; t++)
                {
                    int p = rowStart + (first + t) * 3;
                    red += weights[t] * image.Pixels[p];
                    green += weights[t] * image.Pixels[p + 1];
                    blue += weights[t] * image.Pixels[p + 2];
                }
                int o = (r * width + x) * 3;
                rows[o] = red;
                rows[o + 1] = green;
                rows[o + 2] = blue;
            }
        }

        var output = new float[3 * height * width];
        int plane = height * width;
        for (int y = 0; y < height; y++)
        {
            var (first, weights) = vertical[y];
            for (int x = 0; x < width; x++)
            {
                double red = 0, green = 0, blue = 0;
                for (int t = 0; t < weights.Length; t++)
                {
                    int p = ((first + t) * width + x) * 3;
                    red += weights[t] * rows[p];
                    green += weights[t] * rows[p + 1];
                    blue += weights[t] * rows[p + 2];
                }
                int o = y * width + x;
                output[o] = (float)red;
                output[plane + o] = (float)green;
                output[2 * plane + o] = (float)blue;
            }
        }
        return output;
    }

    /// <summary>For each output index, the first input index and the normalised weights of its taps.</summary>
    internal static (int First, double[] Weights)[] Taps(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double support = Math.Max(scale, 1.0);
        var taps = new (int, double[])[outSize];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int lo = Math.Max((int)Math.Floor(center - support + 0.5), 0);
            int hi = Math.Min((int)Math.Floor(center + support + 0.5), inSize);
            var weights = new double[Math.Max(hi - lo, 0)];
            double sum = 0;
            for (int j = lo; j < hi; j++)
            {
                double w = Math.Max(0.0, 1.0 - Math.Abs((j + 0.5 - center) / support));
                weights[j - lo] = w;
                sum += w;
            }
            if (sum <= 0)
            {
                // Only reachable for degenerate sizes: fall back to the nearest pixel.
                int nearest = Math.Clamp((int)center, 0, inSize - 1);
                taps[i] = (nearest, [1.0]);
                continue;
            }
            for (int t = 0; t < weights.Length; t++) weights[t] /= sum;
            taps[i] = (lo, weights);
        }
        return taps;
    }
}
