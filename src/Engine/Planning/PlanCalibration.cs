namespace Alds.Engine.Planning;

/// <summary>How one layer was whitened (DESIGN §6): the method, the damping finally used, and the input vectors behind its moment.</summary>
public sealed record CalibratedLayer(string Name, string Method, double Lambda, long Samples, int Order);

/// <summary>
/// The calibration behind a data-aware plan, recorded in plan JSON as the optional field <c>calibration</c>
/// (docs/format.md; absent in data-free plans, so <c>alds.version</c> 1 readers are unaffected).
/// </summary>
/// <param name="Images">File name and XxHash64 (16 hex digits) of each image used, so <c>alds eval</c> can tell overlap
/// (empty for a text model: see <see cref="Texts"/>).</param>
public sealed record PlanCalibration(string Source, int Samples, ulong Seed, double Lambda, string Preprocessing,
    IReadOnlyList<(string Name, string Hash)> Images, IReadOnlyList<CalibratedLayer> Layers)
{
    /// <summary>Which curves chose (k, j): <c>calibrated</c>, or <c>data-free</c> (only the factors are whitened).</summary>
    public string Allocation { get; init; } = "calibrated";

    /// <summary>What the calibrated errors are relative to: null for σ_1(F L) (the specified measure), <c>frobenius</c> for ‖F L‖_F.</summary>
    public string? Norm { get; init; }

    /// <summary>Text calibration: XxHash64 (16 hex digits) of every text run, so <c>alds eval</c> can tell overlap; empty for images.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>Text calibration: the real tokens run (padding excluded); null for images.</summary>
    public long? Tokens { get; init; }

    /// <summary>The note reports carry: schemes 1–3 are not whitened (refused), so every curve is the exact output error.</summary>
    public const string Measure = "max_i sigma_{j+1}(G_i L_i) / sigma_1(F L), L L^T = C + lambda*mean(diag C)*I (scheme 0, exact on calibration data)";
}
