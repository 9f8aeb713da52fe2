using Alds.Engine.Layers;

namespace Alds.Engine.Planning;

/// <summary>What the planner chose for one layer. <c>Compressed = false</c> keeps it whole.</summary>
public sealed record LayerChoice(
    LayerSpec Layer,
    bool Compressed,
    int Scheme,
    int Groups,
    int Rank,
    long ParamsBefore,
    long ParamsAfter,
    double RelError)
{
    /// <summary>Filled in after factorising: the true relative spectral residual.</summary>
    public double? RelErrorMeasured { get; init; }

    /// <summary>Data-aware plans: the measured residual on calibration data, <c>‖(F − F̂) L‖₂ / ‖F L‖₂</c> (DESIGN §6).</summary>
    public double? RelErrorMeasuredWhitened { get; init; }

    /// <summary>Under a budget other than params: this layer's cost kept whole and as chosen (units of the plan's cost kind).</summary>
    internal long? CostBefore { get; init; }

    /// <inheritdoc cref="CostBefore"/>
    internal long? CostAfter { get; init; }

    /// <summary><c>σ_1(F_s(W))</c> of the chosen scheme, from the analysis (so factorising need not compute it again).</summary>
    internal double? Norm { get; init; }
}

/// <summary>A complete allocation of (scheme, k, j) to every compressible layer.</summary>
public sealed record Plan(
    string Optimizer,
    IReadOnlyList<int> Schemes,
    string ErrorMeasure,
    double? Keep,
    long Budget,
    long ParamsBefore,
    long ParamsAfter,
    double MaxRelError,
    string Bottleneck,
    IReadOnlyList<LayerChoice> Layers)
{
    /// <summary>
    /// For the exact optimizer: the next smaller attainable threshold, shown infeasible
    /// (its cheapest allocation exceeds the budget). Null when none is smaller.
    /// </summary>
    public double? NextSmallerThreshold { get; init; }
    /// <summary>The cheapest size (in the budget's cost) of <see cref="NextSmallerThreshold"/>, over the budget; null with it.</summary>
    public long? NextSmallerThresholdParams { get; init; }

    /// <summary>Data-aware plans: the calibration behind the error curves; null for data-free ALDS.</summary>
    public PlanCalibration? Calibration { get; init; }

    /// <summary>
    /// The budgeted cost when it is not params (null under a params budget, and then <see cref="Budget"/> is the
    /// params limit; otherwise <see cref="Budget"/> is <see cref="ParamsBefore"/>: no limit on params).
    /// </summary>
    public PlanCost? Cost { get; init; }
}

/// <summary>
/// A plan's totals in its budget's cost kind: <see cref="Limit"/> the budget; <see cref="Before"/> and
/// <see cref="After"/> the compressible layers' sums; <see cref="Fixed"/> the rest of the model (latency: the rest of
/// the graph, so the whole model is <c>After + Fixed</c>; 0 for counts); <see cref="NextSmaller"/> the least cost at the
/// next smaller attainable threshold (exact optimizers), which exceeds the budget.
/// </summary>
public sealed record PlanCost(CostKind Kind, long Limit, long Fixed, long Before, long After, long? NextSmaller)
{
    /// <summary>The whole model's total before compression (layers + fixed part).</summary>
    public long TotalBefore => Before + Fixed;

    /// <summary>The whole model's total after compression (layers + fixed part).</summary>
    public long TotalAfter => After + Fixed;
}
