namespace Alds.Engine.Evaluation;

/// <summary>
/// Deterministic random square crops: the side is uniform in [MinFraction, 1] of the image's shorter side,
/// the position uniform over the image. The stream is SplitMix64 seeded by the seed and the image's name, so a
/// crop depends only on (seed, name, image size, index), not on the .NET version or on the other images.
/// </summary>
internal static class RandomCrops
{
    public const double MinFraction = 0.5;

    public static CropWindow[] Generate(int width, int height, int count, ulong seed, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var state = seed ^ Fnv1a(name);
        int shorter = Math.Min(width, height);
        int minSide = Math.Max(1, (int)Math.Ceiling(MinFraction * shorter));
        var crops = new CropWindow[count];
        for (int i = 0; i < count; i++)
        {
            int size = minSide + (int)(Uniform(ref state) * (shorter - minSide + 1));
            int x = (int)(Uniform(ref state) * (width - size + 1));
            int y = (int)(Uniform(ref state) * (height - size + 1));
            crops[i] = new CropWindow(x, y, size);
        }
        return crops;
    }

    /// <summary>A double in [0, 1) from the top 53 bits of the next SplitMix64 output.</summary>
    private static double Uniform(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv1a(string s)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var ch in s)
        {
            h ^= ch;
            h *= 0x100000001B3UL;
        }
        return h;
    }
}
