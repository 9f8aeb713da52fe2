using System.CommandLine;
using Alds.Engine.Analysis;

namespace Alds.Cli;

/// <summary>--schemes, --max-groups and --device: what the sweep computes.</summary>
public sealed class AnalysisOptions
{
    public Option<string> Schemes { get; } = new("--schemes")
    {
        Description = "Folding schemes: 0 (kernel-encode, the paper's ALDS) or all (ALDS+: schemes 0-3)",
        DefaultValueFactory = _ => "0",
    };

    public Option<int> MaxGroups { get; } = new("--max-groups")
    {
        Description = "Largest group count k to consider (default: every divisor of in)",
        DefaultValueFactory = _ => int.MaxValue,
    };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "Spectral backend: cpu, cuda or auto (cuda when available)",
        DefaultValueFactory = _ => "cpu",
    };

    public AnalysisOptions()
    {
        Schemes.AcceptOnlyFromAmong("0", "all");
        Device.AcceptOnlyFromAmong("cpu", "cuda", "auto");
        MaxGroups.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--max-groups must be at least 1");
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Schemes);
        command.Options.Add(MaxGroups);
        command.Options.Add(Device);
        command.Options.Add(Cache);
    }

    public Option<string?> Cache { get; } = new("--cache")
    {
        Description = "Directory of cached layer spectra (docs/cache.md): reused when the weights match, written otherwise",
    };

    public SweepOptions Read(ParseResult parse, CliContext context) =>
        new(parse.GetValue(Schemes) == "all" ? FoldScheme.All : [0], parse.GetValue(MaxGroups))
        {
            Cache = parse.GetValue(Cache) is string dir ? new Engine.Caching.AnalysisCache(dir) : null,
            Cancel = context.Cancel,
        };

    public ISpectralBackend CreateBackend(ParseResult parse)
    {
        try { return Engine.Gpu.SpectralBackends.Create(parse.GetValue(Device) ?? "cpu", () => new CpuSpectralBackend()); }
        catch (NotSupportedException e) { throw new Engine.ModelFormatException(e.Message); }
    }
}
