using SkiaSharp;

namespace Alds.Engine.Evaluation;

/// <summary>Decodes PNG and JPEG files to 8-bit RGB with SkiaSharp; grayscale is replicated to 3 channels, alpha is dropped.</summary>
internal static class ImageDecoder
{
    public static RgbImage Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read image: {e.Message}", e);
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new ModelFormatException($"{path}: not a decodable image (PNG or JPEG expected)");
        // No colour space in the target info: bytes are taken as stored, without colour management.
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var result = codec.GetPixels(info, rgba);
        if (result != SKCodecResult.Success)
            throw new ModelFormatException($"{path}: image decoding failed ({result})");

        var rgb = new byte[checked(info.Width * info.Height * 3)];
        for (int p = 0, q = 0; q < rgb.Length; p += 4, q += 3)
        {
            rgb[q] = rgba[p];
            rgb[q + 1] = rgba[p + 1];
            rgb[q + 2] = rgba[p + 2];
        }
        return new RgbImage(info.Width, info.Height, rgb);
    }
}
