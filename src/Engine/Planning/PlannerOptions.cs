namespace Alds.Engine.Planning;

/// <summary>Which error curve the planner minimises (DESIGN §1).</summary>
public enum ErrorMeasure
{
    /// <summary><c>max_i σ_{j+1}(G_i) / σ_1(F_s(W))</c>: the ALDS objective.</summary>
    Max,
    /// <summary><c>sqrt(Σ_i σ_{j+1}(G_i)²) / σ_1(F_s(W))</c>: an upper bound on the true residual.</summary>
    Rss,
}

/// <summary>The allocation strategies of <c>alds plan --optimizer</c>.</summary>
public enum OptimizerKind
{
    /// <summary>Exact minimax by threshold search over attainable errors (default).</summary>
    Exact,
    /// <summary>torchprune's alternating <c>ALDSErrorIterativeAllocator</c> heuristic.</summary>
    Paper,
    /// <summary>k = 1, the same relative rank in every layer.</summary>
    Uniform,
    /// <summary>k = 1, every layer keeps the same fraction of its squared Frobenius norm.</summary>
    Energy,
    /// <summary>Exact minimax restricted to k = 1.</summary>
    K1,
}

/// <summary>Names used on the command line and in plan JSON.</summary>
public static class PlanNames
{
    /// <summary>The lower-case name of an optimizer (<c>exact</c>, <c>paper</c>, ...).</summary>
    public static string Name(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Exact => "exact",
        OptimizerKind.Paper => "paper",
        OptimizerKind.Uniform => "uniform",
        OptimizerKind.Energy => "energy",
        OptimizerKind.K1 => "k1",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The lower-case name of an error measure (<c>max</c> or <c>rss</c>).</summary>
    public static string Name(this ErrorMeasure measure) => measure switch
    {
        ErrorMeasure.Max => "max",
        ErrorMeasure.Rss => "rss",
        _ => throw new ArgumentOutOfRangeException(nameof(measure)),
    };

    /// <summary>Parses an optimizer name (case-insensitive).</summary>
    public static bool TryParseOptimizer(string? text, out OptimizerKind kind)
    {
        foreach (var k in Enum.GetValues<OptimizerKind>())
        {
            if (string.Equals(text, k.Name(), StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        }
        kind = default;
        return false;
    }

    /// <summary>Parses an error measure name (case-insensitive).</summary>
    public static bool TryParseErrorMeasure(string? text, out ErrorMeasure measure)
    {
        foreach (var m in Enum.GetValues<ErrorMeasure>())
        {
            if (string.Equals(text, m.Name(), StringComparison.OrdinalIgnoreCase)) { measure = m; return true; }
        }
        measure = default;
        return false;
    }
}

/// <summary>Settings of one planning run.</summary>
public sealed record PlannerOptions
{
    /// <summary>The allocation strategy.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Exact;

    /// <summary>Which curve is minimised.</summary>
    public ErrorMeasure Error { get; init; } = ErrorMeasure.Max;

    /// <summary>Allowed folding schemes; null allows every scheme present in the analysis.</summary>
    public IReadOnlyList<int>? Schemes { get; init; }

    /// <summary>Lexicographic second stage for the exact optimizers (<c>exact</c>, <c>k1</c>).</summary>
    public bool Refine { get; init; } = true;

    /// <summary>Ranks are restricted to multiples of this (keeping a layer whole is always allowed).</summary>
    public int Align { get; init; } = 1;

    /// <summary>Threads used to evaluate layers; -1 = all. Results do not depend on it.</summary>
    internal int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>What the budget limits; null: parameters. Must be of the budget's <see cref="Budget.Kind"/>.</summary>
    public CostModel? Cost { get; init; }

    /// <summary>Seed of the <see cref="System.Random"/> that draws the random seeds of the paper optimizer.</summary>
    internal int PaperRandomSeed { get; init; }
}
