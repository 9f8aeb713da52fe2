using System.CommandLine;
using System.Text.RegularExpressions;
using Alds.Engine.Layers;

namespace Alds.Cli;

/// <summary>The --include / --exclude pair, turned into a <see cref="LayerFilter"/>.</summary>
public sealed class LayerFilterOptions
{
    public Option<string?> Include { get; } = CommonOptions.Include();
    public Option<string?> Exclude { get; } = CommonOptions.Exclude();

    public void AddTo(Command command)
    {
        command.Options.Add(Include);
        command.Options.Add(Exclude);
    }

    public LayerFilter Read(ParseResult parse) =>
        new(ToRegex(parse.GetValue(Include), "--include"), ToRegex(parse.GetValue(Exclude), "--exclude"));

    private static Regex? ToRegex(string? pattern, string option)
    {
        if (pattern is null) return null;
        try { return LayerFilter.Pattern(pattern); }
        catch (ArgumentException e) { throw new UsageException($"{option}: not a valid regular expression: {e.Message}"); }
    }
}
