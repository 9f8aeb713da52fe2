using System.Text;

namespace Alds.Engine.Evaluation;

/// <summary>
/// The texts of a text evaluation: a file of one text a line (<c>--texts</c>), or by default the English records of
/// Debian's <c>fortunes</c> package (files under <see cref="DefaultDirectory"/>, records separated by lines holding
/// only <c>%</c>; the two ASCII-art files are left out), whitespace collapsed; a seeded sample of them.
/// The sample is a seeded permutation of the distinct texts: evaluation takes it from the head, calibration from the
/// tail (<see cref="CorpusEnd"/>), so the two are disjoint whenever their sizes add up to no more than the corpus.
/// </summary>
public static class TextCorpus
{
    /// <summary>Where Debian's <c>fortunes</c> package puts its files.</summary>
    public const string DefaultDirectory = "/usr/share/games/fortunes";

    /// <summary>Seed of the permutation the samples are drawn from (<c>alds eval</c> and text calibration alike).</summary>
    public const ulong DefaultSeed = 20261203;
    private static readonly string[] NotProse = ["art", "ascii-art"];

    /// <summary>Describes where the texts came from, for reports.</summary>
    public static string Describe(string? textsFile) => textsFile ?? $"Debian fortunes ({DefaultDirectory})";

    /// <summary>Up to <paramref name="samples"/> distinct texts, a seeded sample in a stable order.</summary>
    /// <exception cref="ModelFormatException">The file or the default corpus is missing, or holds fewer than two texts.</exception>
    internal static IReadOnlyList<string> Load(string? textsFile, int samples, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        return Load(textsFile, samples, seed, CorpusEnd.Head, 2, "eval needs at least two (nearest neighbours)");
    }

    /// <summary>
    /// Up to <paramref name="samples"/> distinct texts from the <paramref name="end"/> of the seeded permutation, in corpus order.
    /// </summary>
    /// <param name="least">Fewest texts accepted; fewer is bad input, explained by <paramref name="why"/>.</param>
    /// <exception cref="ModelFormatException">The file or the default corpus is missing, or holds fewer than <paramref name="least"/> texts.</exception>
    public static IReadOnlyList<string> Load(string? textsFile, int samples, ulong seed, CorpusEnd end, int least, string why)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var all = textsFile is null ? Fortunes() : Lines(textsFile);
        var distinct = all.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        string source = textsFile ?? DefaultDirectory;
        if (distinct.Count < least)
            throw new ModelFormatException(distinct.Count == 0
                ? $"{source}: no texts (one text a line; empty lines are skipped), {why}"
                : $"{source}: fewer than {(least == 2 ? "two" : least.ToString(System.Globalization.CultureInfo.InvariantCulture))} texts, {why}");
        if (distinct.Count <= samples) return distinct;
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var picked = Enumerable.Range(0, distinct.Count).ToArray();
        rng.Shuffle(picked);
        var part = end == CorpusEnd.Head ? picked.Take(samples) : picked.Skip(distinct.Count - samples);
        return part.Order().Select(i => distinct[i]).ToList();
    }

    /// <summary>XxHash64 of a text's UTF-8 bytes (as loaded: whitespace collapsed): how plans record calibration texts.</summary>
    public static ulong ContentHash(string text) => System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text));

    private static IEnumerable<string> Lines(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found");
        return File.ReadAllLines(path, Encoding.UTF8).Select(Collapse);
    }

    private static List<string> Fortunes()
    {
        if (!Directory.Exists(DefaultDirectory))
            throw new ModelFormatException($"no default texts in {DefaultDirectory}: run 'apt-get install fortunes' or pass --texts FILE");
        var records = new List<string>();
        foreach (var file in Directory.EnumerateFiles(DefaultDirectory).Where(f => Path.GetExtension(f).Length == 0).Order(StringComparer.Ordinal))
        {
            if (NotProse.Contains(Path.GetFileName(file))) continue;
            var current = new StringBuilder();
            foreach (var line in File.ReadLines(file, Encoding.UTF8))
            {
                if (line.Trim() == "%")
                {
                    records.Add(Collapse(current.ToString()));
                    current.Clear();
                }
                else current.Append(line).Append(' ');
            }
            records.Add(Collapse(current.ToString()));
        }
        if (records.Count == 0)
            throw new ModelFormatException($"no default texts in {DefaultDirectory}: run 'apt-get install fortunes' or pass --texts FILE");
        return records;
    }

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
