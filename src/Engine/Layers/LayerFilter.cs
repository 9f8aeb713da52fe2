using System.Text.RegularExpressions;

namespace Alds.Engine.Layers;

/// <summary>
/// Which discovered layers to keep, matched on the layer name (regex search, not a full match).
/// By default a name containing <c>embed</c> (any case) is excluded; an <see cref="Include"/> pattern
/// that matches the name overrides that default. <see cref="Exclude"/> always wins.
/// </summary>
public sealed record LayerFilter(Regex? Include = null, Regex? Exclude = null)
{
    /// <summary>No patterns: every layer except embeddings.</summary>
    public static LayerFilter Default { get; } = new();

    /// <summary>Builds a filter from optional pattern strings (culture-invariant).</summary>
    /// <exception cref="ArgumentException">A pattern is not a valid regular expression.</exception>
    public static LayerFilter FromPatterns(string? include, string? exclude) => new(
        string.IsNullOrEmpty(include) ? null : Pattern(include),
        string.IsNullOrEmpty(exclude) ? null : Pattern(exclude));

    /// <summary>A layer-name pattern: culture-invariant, with a match timeout (patterns come from users).</summary>
    /// <exception cref="ArgumentException">Not a valid regular expression.</exception>
    public static Regex Pattern(string text) => new(text, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Why the layer is filtered out, or null when it is kept.</summary>
    internal string? RejectReason(string layerName)
    {
        if (Exclude is not null && Exclude.IsMatch(layerName))
            return $"excluded by pattern '{Exclude}'";
        if (Include is not null)
            return Include.IsMatch(layerName) ? null : $"not matched by include pattern '{Include}'";
        return layerName.Contains("embed", StringComparison.OrdinalIgnoreCase)
            ? "embedding (excluded by default; an include pattern keeps it)"
            : null;
    }

    /// <summary>True when the layer is kept.</summary>
    internal bool Keeps(string layerName) => RejectReason(layerName) is null;
}
