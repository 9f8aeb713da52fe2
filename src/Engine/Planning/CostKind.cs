namespace Alds.Engine.Planning;

/// <summary>What a budget limits (DESIGN §7): every kind adds up layer by layer, so the exact threshold search applies.</summary>
public enum CostKind
{
    /// <summary>Parameters of the compressible layers (the default).</summary>
    Params,
    /// <summary>Multiply-adds of the compressible layers at the model's real spatial sizes, per sample.</summary>
    Macs,
    /// <summary>Measured ONNX Runtime latency in nanoseconds: every layer's, plus the rest of the graph measured once.</summary>
    Latency,
}

/// <summary>Names of cost kinds on the command line and in plan JSON.</summary>
public static class CostKinds
{
    /// <summary><c>params</c>, <c>macs</c> or <c>latency</c>.</summary>
    public static string Name(this CostKind kind) => kind switch
    {
        CostKind.Params => "params",
        CostKind.Macs => "macs",
        CostKind.Latency => "latency",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a cost kind name (case-insensitive).</summary>
    public static bool TryParse(string? text, out CostKind kind)
    {
        foreach (var k in Enum.GetValues<CostKind>())
        {
            if (string.Equals(text, k.Name(), StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        }
        kind = default;
        return false;
    }

    /// <summary>A total of this kind for people: <c>1,234 params</c>, <c>1,234 MACs</c>, <c>12.345 ms</c>.</summary>
    public static string Format(this CostKind kind, long value) => kind switch
    {
        CostKind.Params => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " params",
        CostKind.Macs => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " MACs",
        CostKind.Latency => (value / 1e6).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " ms",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
