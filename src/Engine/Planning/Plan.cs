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

    /// <summary><c>σ_1(F_s(W))</c> of the chosen scheme, from the analysis (so factorising need not compute it again).</summary>
    public double? Norm { get; init; }
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
    public long? NextSmallerThresholdParams { get; init; }

    /// <summary>Data-aware plans: the calibration behind the error curves; null for data-free ALDS.</summary>
    public PlanCalibration? Calibration { get; init; }
}
