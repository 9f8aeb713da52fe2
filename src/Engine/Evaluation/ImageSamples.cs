namespace Alds.Engine.Evaluation;

/// <summary>One decoded image of a set, with its file's content hash (to tell calibration and evaluation images apart).</summary>
internal sealed record LoadedImage(string Path, RgbImage Image, ulong ContentHash);

/// <summary>
/// The image inputs that calibration and evaluation share: the files of <see cref="EvalImageSet"/>, decoded (files that
/// cannot be decoded are skipped with a warning naming them), cut into seeded <see cref="RandomCrops"/>.
/// </summary>
internal static class ImageSamples
{
    /// <exception cref="ModelFormatException">No image of the set can be decoded.</exception>
    public static IReadOnlyList<LoadedImage> Load(IReadOnlyList<string> paths, Action<string>? warn)
    {
        var loaded = new List<LoadedImage>();
        foreach (var path in paths)
        {
            try { loaded.Add(new LoadedImage(path, ImageDecoder.Load(path), ContentHash(path))); }
            catch (ModelFormatException e) { warn?.Invoke($"skipped {e.Message}"); }
        }
        if (loaded.Count == 0)
            throw new ModelFormatException($"{(paths.Count > 0 ? System.IO.Path.GetDirectoryName(paths[0]) : "")}: none of the {paths.Count} images could be decoded");
        return loaded;
    }

    /// <summary>
    /// <paramref name="samples"/> crops, round robin over the images (crop 0 of every image, then crop 1, …); each image's
    /// crops are <see cref="RandomCrops.Generate"/> with the seed and the file name, as in <c>alds eval</c>.
    /// </summary>
    public static IReadOnlyList<(LoadedImage image, CropWindow crop)> Crops(IReadOnlyList<LoadedImage> images, int samples, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        int perImage = (samples + images.Count - 1) / images.Count;
        var crops = images.Select(i => RandomCrops.Generate(i.Image.Width, i.Image.Height, perImage, seed, System.IO.Path.GetFileName(i.Path))).ToArray();
        var result = new List<(LoadedImage, CropWindow)>(samples);
        for (int c = 0; c < perImage && result.Count < samples; c++)
            for (int i = 0; i < images.Count && result.Count < samples; i++) result.Add((images[i], crops[i][c]));
        return result;
    }

    /// <summary>XxHash64 of the file's bytes.</summary>
    public static ulong ContentHash(string path) => System.IO.Hashing.XxHash64.HashToUInt64(File.ReadAllBytes(path));
}
