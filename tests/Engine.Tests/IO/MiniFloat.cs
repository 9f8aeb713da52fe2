namespace Alds.Engine.Tests.IO;

/// <summary>A binary floating-point format with a sign bit, <c>E</c> exponent and <c>M</c> mantissa bits.</summary>
internal sealed class MiniFloat
{
    public static readonly MiniFloat F16 = new(5, 10);
    public static readonly MiniFloat BF16 = new(8, 7);

    private MiniFloat(int e, int m)
    {
        E = e;
        M = m;
        Bias = (1 << (e - 1)) - 1;
        InfBits = (uint)((1 << e) - 1) << m;
        Positive = new double[InfBits + 1];
        for (uint b = 0; b < InfBits; b++)
            Positive[b] = Decode(b);
        Positive[InfBits] = Math.ScaleB(1.0, (1 << e) - 1 - Bias); // where the next finite value would be
    }

    public int E { get; }
    public int M { get; }
    public int Bias { get; }
    public uint InfBits { get; }
    public uint SignBit => 1u << (E + M);

    /// <summary>Finite non-negative values by bit pattern (ascending), plus the overflow point.</summary>
    public double[] Positive { get; }

    public double Decode(uint bits)
    {
        bool negative = (bits & SignBit) != 0;
        int e = (int)(bits >> M) & ((1 << E) - 1);
        uint m = bits & ((1u << M) - 1);
        double v = e == (1 << E) - 1 ? (m == 0 ? double.PositiveInfinity : double.NaN)
            : e == 0 ? Math.ScaleB(m, 1 - Bias - M)
            : Math.ScaleB(m + (1u << M), e - Bias - M);
        return negative ? -v : v;
    }

    /// <summary>Nearest value, ties to the even pattern, by searching the table (NaN excluded).</summary>
    public uint RoundNearestEven(double x)
    {
        uint sign = double.IsNegative(x) ? SignBit : 0;
        double a = Math.Abs(x);
        int i = Array.BinarySearch(Positive, a);
        uint bits;
        if (i >= 0)
            bits = (uint)i;
        else if (~i >= Positive.Length)
            bits = InfBits;
        else
        {
            uint hi = (uint)~i, lo = hi - 1;
            double mid = (Positive[lo] + Positive[hi]) / 2; // exact: one bit more than the format
            bits = a < mid ? lo : a > mid ? hi : (lo % 2 == 0 ? lo : hi);
        }
        return Math.Min(bits, InfBits) | sign;
    }
}
