using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Alds.Engine.Export;

/// <summary>Builds ONNX initializers (little-endian <c>raw_data</c>).</summary>
internal static class OnnxTensors
{
    /// <summary>
    /// A tensor of <paramref name="dtype"/> (F32, F16, BF16 or F64) holding <paramref name="values"/>,
    /// each rounded once to nearest-even from float64 (BF16: via float32).
    /// </summary>
    public static TensorProto FromDoubles(string name, DataType dtype, long[] dims, ReadOnlySpan<double> values)
    {
        int size = dtype switch
        {
            DataType.Float => 4,
            DataType.Double => 8,
            DataType.Float16 or DataType.Bfloat16 => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating-point dtype"),
        };
        var bytes = new byte[checked(values.Length * size)];
        var span = bytes.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            switch (dtype)
            {
                case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], (float)v); break;
                case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(span[(i * 8)..], v); break;
                case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(span[(i * 2)..], (Half)v); break;
                default: BinaryPrimitives.WriteUInt16LittleEndian(span[(i * 2)..], ToBFloat16((float)v)); break;
            }
        }
        return Make(name, dtype, dims, bytes);
    }

    /// <summary>An INT64 tensor.</summary>
    public static TensorProto FromInt64s(string name, long[] dims, ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return Make(name, DataType.Int64, dims, bytes);
    }

    private static TensorProto Make(string name, DataType dtype, long[] dims, byte[] bytes)
    {
        var t = new TensorProto { Name = name, DataType = (int)dtype, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>Round-to-nearest-even truncation of a float32 to bfloat16; NaN stays NaN.</summary>
    internal static ushort ToBFloat16(float f)
    {
        uint bits = BitConverter.SingleToUInt32Bits(f);
        if (float.IsNaN(f)) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
