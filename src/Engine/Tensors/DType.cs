namespace Alds.Engine.Tensors;

/// <summary>The 22 element types of the safetensors reference implementation.</summary>
public enum DType
{
    /// <summary>Boolean, one byte.</summary>
    BOOL,
    /// <summary>4-bit float (E2M1).</summary>
    F4,
    /// <summary>6-bit float, 2 exponent and 3 mantissa bits.</summary>
    F6_E2M3,
    /// <summary>6-bit float, 3 exponent and 2 mantissa bits.</summary>
    F6_E3M2,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float, 5 exponent and 2 mantissa bits.</summary>
    F8_E5M2,
    /// <summary>8-bit float, 4 exponent and 3 mantissa bits.</summary>
    F8_E4M3,
    /// <summary>8-bit exponent-only scale (E8M0).</summary>
    F8_E8M0,
    /// <summary>8-bit float E4M3, finite, no negative zero.</summary>
    F8_E4M3FNUZ,
    /// <summary>8-bit float E5M2, finite, no negative zero.</summary>
    F8_E5M2FNUZ,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE single precision.</summary>
    F32,
    /// <summary>Complex of two float32.</summary>
    C64,
    /// <summary>IEEE double precision.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}

internal static class DTypes
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
