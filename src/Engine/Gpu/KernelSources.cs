namespace Alds.Engine.Gpu;

/// <summary>The CUDA C sources under <c>kernels/</c>, embedded in this assembly.</summary>
internal static class KernelSources
{
    private const string Prefix = "Alds.Kernels.";

    /// <summary>File names of the embedded sources (e.g. <c>fold.cu</c>), sorted.</summary>
    public static IReadOnlyList<string> Names { get; } =
        typeof(KernelSources).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cu", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The text of one embedded source.</summary>
    public static string Read(string name)
    {
        using var stream = typeof(KernelSources).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new ArgumentException($"no embedded kernel source '{name}'", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>All sources as one translation unit (they share no names but their kernels).</summary>
    public static string Combined() => string.Join("\n", Names.Select(n => $"// ---- {n} ----\n{Read(n)}"));
}
