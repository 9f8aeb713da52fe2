using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Alds.Engine.Tensors;

namespace Alds.Engine.IO;

/// <summary>
/// Conversions between the float element types of safetensors files and float32/float64.
/// Precision contract: widenings (F16, BF16, F32 → F32/F64) are exact; narrowings round to
/// nearest, ties to even, directly from the source value (never through an intermediate
/// rounding), overflow to ±infinity, and keep NaN a NaN (same sign, quiet). Data is little-endian.
/// </summary>
internal static class FloatCodec
{
    private const int Chunk = 2048;

    /// <summary>Bytes per element of a float dtype the codec handles (F16, BF16, F32, F64).</summary>
    public static int ElementSize(DType dtype) => dtype switch
    {
        DType.F16 or DType.BF16 => 2,
        DType.F32 => 4,
        DType.F64 => 8,
        _ => throw new ArgumentException($"dtype {dtype} is not F16, BF16, F32 or F64", nameof(dtype)),
    };

    /// <summary>Widens one bfloat16 (its bit pattern) to float32, exactly.</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds a float32 to bfloat16 bits: nearest, ties to even; NaN stays NaN.</summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x0040); // quiet, sign kept
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Rounds a float64 to bfloat16 bits: nearest, ties to even (a single rounding); NaN stays NaN.</summary>
    public static ushort DoubleToBFloat16(double value)
    {
        if (double.IsNaN(value))
            return (ushort)(double.IsNegative(value) ? 0xFFC0 : 0x7FC0);
        // Round to float32 by round-to-odd, then to bfloat16 by ties-to-even. Float32 keeps 16 more
        // mantissa bits than bfloat16 (subnormals included), so the second rounding sees the exact tie.
        float f = (float)value;
        if ((double)f != value)
        {
            uint bits = BitConverter.SingleToUInt32Bits(f);
            if (Math.Abs((double)f) > Math.Abs(value))
                bits--; // truncate toward zero: one step down in magnitude
            f = BitConverter.UInt32BitsToSingle(bits | 1);
        }
        return SingleToBFloat16(f);
    }

    /// <summary>Decodes to float64 or float32 (<see cref="Decode(DType, ReadOnlySpan{byte}, Span{double})"/>, <see cref="Decode(DType, ReadOnlySpan{byte}, Span{float})"/>).</summary>
    internal static void Decode<TFloat>(DType dtype, ReadOnlySpan<byte> source, Span<TFloat> destination) where TFloat : unmanaged
    {
        if (typeof(TFloat) == typeof(double)) Decode(dtype, source, MemoryMarshal.Cast<TFloat, double>(destination));
        else if (typeof(TFloat) == typeof(float)) Decode(dtype, source, MemoryMarshal.Cast<TFloat, float>(destination));
        else throw new NotSupportedException($"decoding to {typeof(TFloat).Name}");
    }

    /// <summary>Decodes little-endian <paramref name="dtype"/> elements to float64; exact.</summary>
    public static void Decode(DType dtype, ReadOnlySpan<byte> source, Span<double> destination)
    {
        int count = CheckLengths(dtype, source.Length, destination.Length);
        switch (dtype)
        {
            case DType.F64:
                MemoryMarshal.Cast<byte, double>(source).CopyTo(destination);
                break;
            case DType.F32:
                TensorPrimitives.ConvertChecked<float, double>(MemoryMarshal.Cast<byte, float>(source), destination);
                break;
            default:
                Span<float> buffer = stackalloc float[Chunk];
                for (int i = 0; i < count; i += Chunk)
                {
                    int n = Math.Min(Chunk, count - i);
                    Decode(dtype, source.Slice(2 * i, 2 * n), buffer[..n]);
                    TensorPrimitives.ConvertChecked<float, double>(buffer[..n], destination.Slice(i, n));
                }
                break;
        }
    }

    /// <summary>
    /// Decodes little-endian <paramref name="dtype"/> elements to float32: exact for F16, BF16, F32;
    /// F64 is rounded to nearest, ties to even.
    /// </summary>
    public static void Decode(DType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckLengths(dtype, source.Length, destination.Length);
        switch (dtype)
        {
            case DType.F64:
                TensorPrimitives.ConvertTruncating<double, float>(MemoryMarshal.Cast<byte, double>(source), destination);
                break;
            case DType.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case DType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case DType.BF16:
                var wide = MemoryMarshal.Cast<float, uint>(destination);
                TensorPrimitives.ConvertChecked<ushort, uint>(MemoryMarshal.Cast<byte, ushort>(source), wide);
                TensorPrimitives.ShiftLeft(wide, 16, wide);
                break;
        }
    }

    /// <summary>Encodes float64 values as little-endian <paramref name="dtype"/> elements, rounding to nearest even.</summary>
    public static void Encode(DType dtype, ReadOnlySpan<double> source, Span<byte> destination)
    {
        CheckLengths(dtype, destination.Length, source.Length);
        switch (dtype)
        {
            case DType.F64:
                source.CopyTo(MemoryMarshal.Cast<byte, double>(destination));
                break;
            case DType.F32:
                TensorPrimitives.ConvertTruncating<double, float>(source, MemoryMarshal.Cast<byte, float>(destination));
                break;
            case DType.F16:
                // Directly from double: going through float32 would round twice.
                var halves = MemoryMarshal.Cast<byte, Half>(destination);
                for (int i = 0; i < source.Length; i++)
                    halves[i] = (Half)source[i];
                break;
            case DType.BF16:
                var bf = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int i = 0; i < source.Length; i++)
                    bf[i] = DoubleToBFloat16(source[i]);
                break;
        }
    }

    /// <summary>Encodes float32 values as little-endian <paramref name="dtype"/> elements, rounding to nearest even.</summary>
    public static void Encode(DType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        CheckLengths(dtype, destination.Length, source.Length);
        switch (dtype)
        {
            case DType.F64:
                TensorPrimitives.ConvertChecked<float, double>(source, MemoryMarshal.Cast<byte, double>(destination));
                break;
            case DType.F32:
                source.CopyTo(MemoryMarshal.Cast<byte, float>(destination));
                break;
            case DType.F16:
                TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
                break;
            case DType.BF16:
                var bf = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int i = 0; i < source.Length; i++)
                    bf[i] = SingleToBFloat16(source[i]);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CheckLengths(DType dtype, int byteLength, int elementCount)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not.");
        int size = ElementSize(dtype);
        if ((long)elementCount * size != byteLength)
            throw new ArgumentException(
                $"{byteLength} bytes of {dtype} do not match {elementCount} elements ({size} bytes each).");
        return elementCount;
    }
}
