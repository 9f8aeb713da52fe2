namespace Alds.Engine.Evaluation;

/// <summary>Which image files an evaluation reads.</summary>
public static class EvalImageSet
{
    /// <summary>The data folder of Debian's <c>python3-skimage-lib</c>.</summary>
    public const string DefaultDirectory = "/usr/lib/python3/dist-packages/skimage/data";

    /// <summary>
    /// The photographs of <see cref="DefaultDirectory"/>: colour ones, then grayscale ones (replicated to RGB).
    /// Synthetic pictures, textures, palettes and the deliberately truncated JPEG are left out.
    /// </summary>
    internal static IReadOnlyList<string> DefaultNames { get; } =
    [
        "astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg", "ihc.png",
        "motorcycle_left.png", "motorcycle_right.png", "retina.jpg", "rocket.jpg",
        "camera.png", "coins.png", "moon.png",
    ];

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>
    /// The image paths: every .png/.jpg/.jpeg of <paramref name="directory"/> sorted by ordinal name,
    /// or, when it is null, those of <see cref="DefaultNames"/> present in <see cref="DefaultDirectory"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">The folder is missing or holds no image.</exception>
    public static IReadOnlyList<string> Resolve(string? directory)
    {
        if (directory is null)
        {
            var found = Directory.Exists(DefaultDirectory)
                ? DefaultNames.Select(n => Path.Combine(DefaultDirectory, n)).Where(File.Exists).ToArray()
                : [];
            if (found.Length == 0)
                throw new ModelFormatException(
                    $"no default images in {DefaultDirectory}: run 'apt-get install python3-skimage-lib' or pass --images DIR");
            return found;
        }
        if (!Directory.Exists(directory))
            throw new ModelFormatException($"{directory}: image folder not found");
        var files = Directory.EnumerateFiles(directory)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
            throw new ModelFormatException($"{directory}: no .png, .jpg or .jpeg images in this folder");
        return files;
    }
}
