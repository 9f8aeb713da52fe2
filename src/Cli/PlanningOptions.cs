using System.CommandLine;
using Alds.Engine.Planning;

namespace Alds.Cli;

/// <summary>The budget and planner options shared by <c>plan</c> and <c>compress</c>.</summary>
public sealed class PlanningOptions
{
    public Option<double?> Keep { get; } = new("--keep")
    {
        Description = "Keep this fraction of the compressible layers' parameters (budget = floor(R × params)), 0 < R ≤ 1",
    };

    public Option<long?> Params { get; } = new("--params")
    {
        Description = "Absolute parameter budget for the compressible layers",
    };

    public Option<string> Optimizer { get; } = new("--optimizer")
    {
        Description = "exact (minimax optimum, default), paper (torchprune's heuristic), uniform, energy, k1",
        DefaultValueFactory = _ => "exact",
    };

    public Option<string> Error { get; } = new("--error")
    {
        Description = "Error measure: max (the paper's, max over groups) or rss (root-sum-square over groups, an upper bound)",
        DefaultValueFactory = _ => "max",
    };

    public Option<bool> Refine { get; } = new("--refine")
    {
        Description = "Spend the leftover budget on the next-worst layers without raising the maximum (default on)",
        DefaultValueFactory = _ => true,
    };

    public Option<bool> NoRefine { get; } = new("--no-refine") { Description = "Turn --refine off" };

    public Option<string> Align { get; } = new("--align")
    {
        Description = "Ranks restricted to multiples of N (hardware-friendly shapes); the optimum is exact over that set. "
            + "auto: the NCHWc block of this CPU (16 with AVX-512, 8 with AVX2); with --budget latency, the alignment "
            + "(1, block/2, block, 2×block) whose plan the latency table gives the least error",
        DefaultValueFactory = _ => "1",
    };

    /// <summary>True when <c>--align auto</c> was given.</summary>
    public bool AlignAuto(ParseResult parse) => string.Equals(parse.GetValue(Align), "auto", StringComparison.OrdinalIgnoreCase);

    public PlanningOptions()
    {
        Optimizer.AcceptOnlyFromAmong("exact", "paper", "uniform", "energy", "k1");
        Error.AcceptOnlyFromAmong("max", "rss");
        Keep.Validators.Add(r =>
        {
            if (OptionValues.TryGet<double?>(r, out var v) && v is double keep && !(keep > 0 && keep <= 1))
                r.AddError($"--keep {keep}: must be in (0, 1]");
        });
        Params.Validators.Add(r =>
        {
            if (OptionValues.TryGet<long?>(r, out var v) && v is long n && n < 1) r.AddError("--params must be at least 1");
        });
        Align.Validators.Add(r =>
        {
            if (!OptionValues.TryGet<string>(r, out var text) || string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase)) return;
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int align) || align < 1)
                r.AddError($"--align {text}: must be auto or an integer of at least 1");
        });
    }

    /// <summary>Absolute budgets in other costs (<c>--macs</c>, <c>--latency-ms</c>) that count towards "exactly one budget".</summary>
    public List<Option> OtherBudgets { get; } = [];

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Keep, Params, Optimizer, Error, Refine, NoRefine, Align }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            int given = (r.GetResult(Keep) is null ? 0 : 1) + (r.GetResult(Params) is null ? 0 : 1) + OtherBudgets.Count(o => r.GetResult(o) is not null);
            if (given != 1) r.AddError(OtherBudgets.Count == 0 ? "give exactly one budget: --keep R or --params N"
                : "give exactly one budget: --keep R, --params N, --macs N or --latency-ms T");
        });
    }

    public Budget ReadBudget(ParseResult parse, long paramsBefore) =>
        parse.GetValue(Keep) is double keep ? Budget.FromKeep(keep, paramsBefore) : Budget.FromParams(parse.GetValue(Params)!.Value);

    public PlannerOptions Read(ParseResult parse, IReadOnlyList<int> schemes)
    {
        PlanNames.TryParseOptimizer(parse.GetValue(Optimizer), out var optimizer);
        PlanNames.TryParseErrorMeasure(parse.GetValue(Error), out var error);
        return new PlannerOptions
        {
            Optimizer = optimizer,
            Error = error,
            Schemes = schemes,
            Refine = parse.GetValue(Refine) && !parse.GetValue(NoRefine),
            Align = AlignAuto(parse) ? Engine.Costs.LatencyEnvironment.NchwcBlock : int.Parse(parse.GetValue(Align)!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
