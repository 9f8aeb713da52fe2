using System.CommandLine;
using Alds.Engine.Analysis;
using Alds.Engine.Costs;
using Alds.Engine.Planning;

namespace Alds.Cli;

/// <summary>
/// The cost model of one planning command, in two steps: <see cref="Prepare"/> checks the input and records the
/// layers' shapes before the analysis (a bad input fails before any long work); <see cref="Model"/> builds the cost
/// from the analysis (the latency table measures the options that can enter a plan).
/// </summary>
public sealed class CostSetup
{
    private readonly CostKind _kind;
    private readonly IReadOnlyList<LayerGeometry>? _geometry;

    private CostSetup(CostKind kind, IReadOnlyList<LayerGeometry>? geometry)
    {
        _kind = kind;
        _geometry = geometry;
    }

    /// <summary>The layers' shapes for a MACs or latency budget (nothing for params).</summary>
    public static CostSetup Prepare(CliContext context, ParseResult parse, CostOptions cost, AnalysisOptions analysis, ModelSession session, CostKind kind)
    {
        if (kind == CostKind.Params) return new CostSetup(kind, null);
        if (kind == CostKind.Latency) throw new UsageException("--budget latency is not available in this build");
        return new CostSetup(kind, cost.ReadGeometry(parse, session, kind));
    }

    /// <summary>The cost model for <paramref name="analysis"/> planned with <paramref name="options"/>.</summary>
    public CostModel Model(ModelAnalysis analysis, PlannerOptions options, bool quiet) => _kind switch
    {
        CostKind.Params => CostModel.Params,
        CostKind.Macs => new MacsCost(_geometry!),
        _ => throw new InvalidOperationException($"no cost model for {_kind.Name()}"),
    };
}
