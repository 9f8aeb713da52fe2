using System.CommandLine;
using Alds.Engine.Analysis;

namespace Alds.Cli;

/// <summary>--schemes, --max-groups, --device, --cache, --cache-only and (analyze only) --shard: what the sweep computes.</summary>
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
            if (OptionValues.TryGet<int>(r, out var groups) && groups < 1) r.AddError("--max-groups must be at least 1");
        });
        Shard.Validators.Add(r =>
        {
            if (OptionValues.TryGet<string?>(r, out var value) && value is string text && !TryParseShard(text, out _))
                r.AddError($"--shard must be I/N with 0 <= I < N (got '{text}')");
        });
    }

    public Option<string?> Shard { get; } = new("--shard")
    {
        Description = "Analyse only share I of N (layers whose index mod N is I) into --cache; merge the caches, then plan",
    };

    public Option<bool> CacheOnly { get; } = new("--cache-only")
    {
        Description = "Fail instead of computing any spectrum missing from --cache (checks a merged cache)",
    };

    /// <summary>Parses <c>I/N</c>: integers with N ≥ 1 and 0 ≤ I &lt; N.</summary>
    public static bool TryParseShard(string text, out (int Index, int Count) shard)
    {
        shard = (0, 1);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count)
            || count < 1 || index >= count)
            return false;
        shard = (index, count);
        return true;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Schemes);
        command.Options.Add(MaxGroups);
        command.Options.Add(Device);
        command.Options.Add(Cache);
        command.Options.Add(CacheOnly);
        // A share of the layers cannot be planned, so only analyze takes --shard.
        if (command.Name == "analyze") command.Options.Add(Shard);
        Calibration.AddTo(command, this);
        command.Validators.Add(r =>
        {
            if (r.GetValue(Cache) is not null) return;
            if (command.Name == "analyze" && r.GetValue(Shard) is not null) r.AddError("--shard needs --cache DIR (each share's spectra go there)");
            if (r.GetValue(CacheOnly)) r.AddError("--cache-only needs --cache DIR");
        });
    }

    /// <summary>Data-aware spectra (issue 14).</summary>
    public CalibrationCliOptions Calibration { get; } = new();

    public Option<string?> Cache { get; } = new("--cache")
    {
        Description = "Directory of cached layer spectra (docs/cache.md): reused when the weights match, written otherwise",
    };

    public SweepOptions Read(ParseResult parse, CliContext context) =>
        new(parse.GetValue(Schemes) == "all" ? FoldScheme.All : [0], parse.GetValue(MaxGroups))
        {
            Cancel = context.Cancel,
            Shard = parse.GetValue(Shard) is string text && TryParseShard(text, out var shard) ? shard : (0, 1),
        };

    public ISpectralBackend CreateBackend(ParseResult parse)
    {
        try
        {
            var backend = Engine.Gpu.SpectralBackends.Create(parse.GetValue(Device) ?? "cpu", () => new CpuSpectralBackend());
            if (parse.GetValue(CacheOnly)) backend = new CacheOnlyBackend(backend, parse.GetValue(Cache)!);
            // the cache in front of the backend: under --cache-only, the backend is reached only on a miss
            return parse.GetValue(Cache) is string dir ? new Engine.Caching.CachedSpectralBackend(backend, new Engine.Caching.AnalysisCache(dir)) : backend;
        }
        catch (NotSupportedException e) { throw new Engine.MissingComponentException(e.Message, e); }
    }
}

/// <summary>Stands in for the backend under --cache-only: the cache calls it only on a miss, which is then an error.</summary>
internal sealed class CacheOnlyBackend(ISpectralBackend inner, string cache) : ISpectralBackend
{
    public string Name => inner.Name;

    public IReadOnlyList<SchemeOption> AnalyzeLayer(Engine.Layers.LayerSpec layer, ReadOnlySpan<double> weight,
        IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts) =>
        throw new Engine.ModelFormatException(
            $"{cache}: no cached spectra for layer '{layer.Name}' (scheme {string.Join(",", schemes)}) and --cache-only forbids computing them");

    public void Dispose() => inner.Dispose();
}
