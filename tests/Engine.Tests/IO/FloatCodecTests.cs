using System.Runtime.InteropServices;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

/// <summary>
/// FloatCodec against independent oracles: a formula decoder for every 16-bit pattern, a brute-force
/// nearest-even search over all 65,536 values of each 16-bit format, and hand-computed tie tables.
/// </summary>
public class FloatCodecTests
{
    private static readonly MiniFloat F16 = MiniFloat.F16;
    private static readonly MiniFloat BF16 = MiniFloat.BF16;

    private static uint EncodeOne(DType dtype, double x)
    {
        Span<byte> bytes = stackalloc byte[2];
        FloatCodec.Encode(dtype, [x], bytes);
        return MemoryMarshal.Read<ushort>(bytes);
    }

    private static void AssertSameBits(double actual, double expected, string context)
    {
        if (double.IsNaN(expected))
            Assert.That(double.IsNaN(actual), context);
        else
            Assert.That(BitConverter.DoubleToInt64Bits(actual), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected)), context);
    }

    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    public void Decode_Every16BitPattern_MatchesFormulaExactly(DType dtype)
    {
        var format = dtype == DType.F16 ? F16 : BF16;
        var bits = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var bytes = MemoryMarshal.AsBytes(bits.AsSpan());
        var asDouble = new double[65536];
        var asFloat = new float[65536];
        FloatCodec.Decode(dtype, bytes, asDouble);
        FloatCodec.Decode(dtype, bytes, asFloat);
        for (uint b = 0; b < 65536; b++)
        {
            double expected = format.Decode(b);
            AssertSameBits(asDouble[b], expected, $"0x{b:X4} as double");
            AssertSameBits(asFloat[b], expected, $"0x{b:X4} as float");
        }
    }

    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    public void Encode_EveryTieAndItsNeighbours_MatchesBruteForce(DType dtype)
    {
        var format = dtype == DType.F16 ? F16 : BF16;
        for (int i = 0; i + 1 < format.Positive.Length; i++)
        {
            double mid = (format.Positive[i] + format.Positive[i + 1]) / 2;
            foreach (double x in new[] { mid, Math.BitIncrement(mid), Math.BitDecrement(mid), format.Positive[i] })
                foreach (double s in new[] { x, -x })
                {
                    uint expected = format.RoundNearestEven(s);
                    Assert.That(EncodeOne(dtype, s), Is.EqualTo(expected), $"{s:R}");
                }
        }
    }

    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    public void Encode_RandomDoublesAllMagnitudes_MatchesBruteForce(DType dtype)
    {
        var format = dtype == DType.F16 ? F16 : BF16;
        var random = new Random(1234);
        var values = new double[20000];
        for (int i = 0; i < values.Length; i++)
        {
            double mantissa = 1 + random.NextDouble();
            int exponent = random.Next(-format.Bias - format.M - 4, format.Bias + 4);
            values[i] = Math.ScaleB(random.Next(2) == 0 ? mantissa : -mantissa, exponent);
        }
        var bytes = new byte[values.Length * 2];
        FloatCodec.Encode(dtype, values, bytes);
        var encoded = MemoryMarshal.Cast<byte, ushort>(bytes);
        for (int i = 0; i < values.Length; i++)
            Assert.That(encoded[i], Is.EqualTo(format.RoundNearestEven(values[i])), $"{values[i]:R}");
    }

    // x = m · 2^e; expected bfloat16 bits worked out by hand.
    [TestCase(257L, -8, 0x3F80, TestName = "DoubleToBFloat16_1Plus2pow-8Tie_RoundsDownToEven")]
    [TestCase(259L, -8, 0x3F82, TestName = "DoubleToBFloat16_1Plus3x2pow-8Tie_RoundsUpToEven")]
    [TestCase(129L, -7, 0x3F81, TestName = "DoubleToBFloat16_1Plus2pow-7_Exact")]
    [TestCase(1077936129L, -30, 0x3F81, TestName = "DoubleToBFloat16_JustAboveTieBelowFloatResolution_RoundsUp")]
    [TestCase(1103806595071L, -40, 0x3F80, TestName = "DoubleToBFloat16_JustBelowTie_RoundsDown")]
    [TestCase(-257L, -8, 0xBF80, TestName = "DoubleToBFloat16_NegativeTie_RoundsToEven")]
    [TestCase(1L, -133, 0x0001, TestName = "DoubleToBFloat16_SmallestSubnormal_Exact")]
    [TestCase(1L, -134, 0x0000, TestName = "DoubleToBFloat16_HalfSmallestSubnormal_RoundsToZero")]
    [TestCase(3L, -134, 0x0002, TestName = "DoubleToBFloat16_SubnormalTie_RoundsUpToEven")]
    [TestCase(67108865L, -160, 0x0001, TestName = "DoubleToBFloat16_JustAboveSubnormalTie_RoundsUp")]
    [TestCase(1L, -200, 0x0000, TestName = "DoubleToBFloat16_FarBelowSubnormal_Zero")]
    [TestCase(255L, 120, 0x7F7F, TestName = "DoubleToBFloat16_Largest_Exact")]
    [TestCase(267911167L, 100, 0x7F7F, TestName = "DoubleToBFloat16_JustBelowOverflowTie_Largest")]
    [TestCase(511L, 119, 0x7F80, TestName = "DoubleToBFloat16_OverflowTie_Infinity")]
    [TestCase(1L, 200, 0x7F80, TestName = "DoubleToBFloat16_Huge_Infinity")]
    [TestCase(-1L, 200, 0xFF80, TestName = "DoubleToBFloat16_NegativeHuge_NegativeInfinity")]
    public void DoubleToBFloat16_HandComputedTable(long mantissa, int exponent, int expected)
    {
        double x = Math.ScaleB(mantissa, exponent);
        Assert.That(FloatCodec.DoubleToBFloat16(x), Is.EqualTo((ushort)expected));
        Assert.That(EncodeOne(DType.BF16, x), Is.EqualTo((uint)expected));
    }

    [TestCase(257L, -8, 0x3F80)]
    [TestCase(259L, -8, 0x3F82)]
    [TestCase(3L, -134, 0x0002)]
    [TestCase(1L, -134, 0x0000)]
    [TestCase(511L, 119, 0x7F80)]
    public void SingleToBFloat16_TieTable_RoundsToEven(long mantissa, int exponent, int expected)
    {
        float x = (float)Math.ScaleB(mantissa, exponent);
        Assert.That(FloatCodec.SingleToBFloat16(x), Is.EqualTo((ushort)expected));
        Span<byte> bytes = stackalloc byte[2];
        FloatCodec.Encode(DType.BF16, [x], bytes);
        Assert.That(MemoryMarshal.Read<ushort>(bytes), Is.EqualTo((ushort)expected));
    }

    [TestCase(2049L, -11, 0x3C00, TestName = "DoubleToF16_1Plus2pow-11Tie_RoundsDownToEven")]
    [TestCase(2051L, -11, 0x3C02, TestName = "DoubleToF16_1Plus3x2pow-11Tie_RoundsUpToEven")]
    [TestCase(537133057L, -29, 0x3C01, TestName = "DoubleToF16_JustAboveTieBelowFloatResolution_RoundsUp")]
    [TestCase(65504L, 0, 0x7BFF, TestName = "DoubleToF16_Largest_Exact")]
    [TestCase(65519L, 0, 0x7BFF, TestName = "DoubleToF16_BelowOverflowTie_Largest")]
    [TestCase(65520L, 0, 0x7C00, TestName = "DoubleToF16_OverflowTie_Infinity")]
    [TestCase(1L, -24, 0x0001, TestName = "DoubleToF16_SmallestSubnormal_Exact")]
    [TestCase(1L, -25, 0x0000, TestName = "DoubleToF16_HalfSmallestSubnormal_Zero")]
    [TestCase(3L, -25, 0x0002, TestName = "DoubleToF16_SubnormalTie_RoundsUpToEven")]
    [TestCase(-2049L, -11, 0xBC00, TestName = "DoubleToF16_NegativeTie_RoundsToEven")]
    public void DoubleToF16_HandComputedTable(long mantissa, int exponent, int expected)
    {
        Assert.That(EncodeOne(DType.F16, Math.ScaleB(mantissa, exponent)), Is.EqualTo((uint)expected));
    }

    [TestCase(DType.F16, 0x7C00u, 0xFC00u, 0x8000u)]
    [TestCase(DType.BF16, 0x7F80u, 0xFF80u, 0x8000u)]
    public void Encode_SpecialValues_Kept(DType dtype, uint inf, uint negInf, uint negZero)
    {
        Assert.Multiple(() =>
        {
            Assert.That(EncodeOne(dtype, double.PositiveInfinity), Is.EqualTo(inf));
            Assert.That(EncodeOne(dtype, double.NegativeInfinity), Is.EqualTo(negInf));
            Assert.That(EncodeOne(dtype, -0.0), Is.EqualTo(negZero));
            Assert.That(EncodeOne(dtype, 0.0), Is.EqualTo(0u));
            var format = dtype == DType.F16 ? F16 : BF16;
            Assert.That(double.IsNaN(format.Decode(EncodeOne(dtype, double.NaN))));
            Assert.That(double.IsNaN(format.Decode(EncodeOne(dtype, -double.NaN))));
            // A NaN whose payload sits only in bits that narrowing drops must not become infinity.
            double lowPayloadNaN = BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001);
            Assert.That(double.IsNaN(format.Decode(EncodeOne(dtype, lowPayloadNaN))));
        });
        float lowPayloadFloatNaN = BitConverter.UInt32BitsToSingle(0x7F80_0001);
        Assert.That(float.IsNaN(FloatCodec.BFloat16ToSingle(FloatCodec.SingleToBFloat16(lowPayloadFloatNaN))));
    }

    [Test]
    public void EncodeDecode_VectorisedPaths_MatchScalarCasts()
    {
        var random = new Random(99);
        var doubles = new double[1037]; // uneven length: exercises the vector remainder
        for (int i = 0; i < doubles.Length; i++)
            doubles[i] = i % 97 == 0 ? double.NaN
                : i % 89 == 0 ? double.PositiveInfinity
                : Math.ScaleB(random.NextDouble() - 0.5, random.Next(-160, 140));
        var floats = Array.ConvertAll(doubles, d => (float)d);

        var f32 = new byte[doubles.Length * 4];
        FloatCodec.Encode(DType.F32, doubles, f32);
        var fromF64 = new float[doubles.Length];
        FloatCodec.Decode(DType.F64, MemoryMarshal.AsBytes(doubles.AsSpan()), fromF64);
        var half = new byte[floats.Length * 2];
        FloatCodec.Encode(DType.F16, floats, half);
        var widened = new double[floats.Length];
        FloatCodec.Decode(DType.F32, MemoryMarshal.AsBytes(floats.AsSpan()), widened);
        for (int i = 0; i < doubles.Length; i++)
        {
            AssertSameBits(MemoryMarshal.Cast<byte, float>(f32)[i], (float)doubles[i], $"F32 encode {i}");
            AssertSameBits(fromF64[i], (float)doubles[i], $"F64 decode {i}");
            AssertSameBits((double)MemoryMarshal.Cast<byte, Half>(half)[i], (double)(Half)floats[i], $"F16 encode {i}");
            AssertSameBits(widened[i], floats[i], $"F32 widen {i}");
        }
    }

    [Test]
    public void EncodeDecode_F64AndF32_RoundTripBitExact()
    {
        var random = new Random(7);
        var doubles = Enumerable.Range(0, 513).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64())).ToArray();
        var bytes = new byte[doubles.Length * 8];
        FloatCodec.Encode(DType.F64, doubles, bytes);
        var back = new double[doubles.Length];
        FloatCodec.Decode(DType.F64, bytes, back);
        Assert.That(back.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(doubles.Select(BitConverter.DoubleToInt64Bits)));
    }

    [Test]
    public void Encode_LengthMismatch_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => FloatCodec.Encode(DType.F32, new double[3], new byte[8]));
        Assert.Throws<ArgumentException>(() => FloatCodec.Decode(DType.F16, new byte[3], new double[1]));
    }

    [Test]
    public void Encode_NonFloatDType_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => FloatCodec.Encode(DType.I32, new double[1], new byte[4]));
        Assert.Throws<ArgumentException>(() => FloatCodec.Decode(DType.U8, new byte[1], new float[1]));
    }
}
