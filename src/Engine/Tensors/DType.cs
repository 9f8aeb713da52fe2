namespace Alds.Engine.Tensors;

/// <summary>The 22 element types of the safetensors reference implementation.</summary>
public enum DType
{
    BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ,
    I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64,
}

public static class DTypes
{
    /// <summary>Bits per element, as the reference defines them (F4 = 4, F6_* = 6).</summary>
    public static int Bits(this DType t) => t switch
    {
        DType.F4 => 4,
        DType.F6_E2M3 or DType.F6_E3M2 => 6,
        DType.BOOL or DType.U8 or DType.I8 or DType.F8_E5M2 or DType.F8_E4M3 or DType.F8_E8M0
            or DType.F8_E4M3FNUZ or DType.F8_E5M2FNUZ => 8,
        DType.I16 or DType.U16 or DType.F16 or DType.BF16 => 16,
        DType.I32 or DType.U32 or DType.F32 => 32,
        DType.C64 or DType.F64 or DType.I64 or DType.U64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Alignment used for the writer's ordering: bytes per element, at least 1.</summary>
    public static int Alignment(this DType t) => Math.Max(1, t.Bits() / 8);

    /// <summary>F16, BF16, F32, F64: the types the engine computes on.</summary>
    public static bool IsComputable(this DType t) => t is DType.F16 or DType.BF16 or DType.F32 or DType.F64;

    public static bool TryParse(string name, out DType type) =>
        Enum.TryParse(name, ignoreCase: false, out type) && Enum.IsDefined(type) && name == type.ToString();
}
