namespace Alds.Engine.Evaluation;

/// <summary>An 8-bit RGB image, pixels interleaved row-major (<c>R,G,B</c> of pixel (0,0) first).</summary>
internal sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"expected {width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Interleaved RGB bytes, <c>3 * Width * Height</c> of them.</summary>
    public byte[] Pixels { get; }

    /// <summary>Channel <paramref name="c"/> (0 = R, 1 = G, 2 = B) of the pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int y, int x, int c] => Pixels[(y * Width + x) * 3 + c];
}
