using Alds.Engine.Decomposition;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Export;

/// <summary>
/// The tests' own factoriser, written from the DESIGN §1 table without the engine's fold code:
/// per input-channel group, a LAPACK (dgesdd) SVD truncated to rank j, split as
/// <c>D = U√Σ</c>, <c>E = √Σ Vᵀ</c>, unfolded into encoder/decoder kernels.
/// </summary>
internal static class GroupSvdFactorizer
{
    /// <summary>Encoder (eKh, eKw) and decoder (dKh, dKw) kernels of a scheme, from the DESIGN table.</summary>
    public static (int eKh, int eKw, int dKh, int dKw) Kernels(int scheme, int kh, int kw) => scheme switch
    {
        0 => (kh, kw, 1, 1),
        1 => (1, kw, kh, 1),
        2 => (kh, 1, 1, kw),
        3 => (1, 1, kh, kw),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    /// <summary>Splits a weight tap (y, x) into its encoder tap (ye, xe) and decoder tap (yd, xd).</summary>
    private static (int ye, int xe, int yd, int xd) Split(int scheme, int y, int x) => scheme switch
    {
        0 => (y, x, 0, 0),
        1 => (0, x, y, 0),
        2 => (y, 0, 0, x),
        _ => (0, 0, y, x),
    };

    /// <summary>The largest rank a group of this layer has: min(out·dec, (in/k)·enc).</summary>
    public static int FullRank(LayerSpec l, int scheme, int groups)
    {
        var (eKh, eKw, dKh, dKw) = Kernels(scheme, l.Kh, l.Kw);
        return Math.Min(l.Out * dKh * dKw, l.In / groups * eKh * eKw);
    }

    /// <summary>Factors of canonical weight <paramref name="w"/> ([out, in, kh, kw]) at (scheme, k, j).</summary>
    public static FactorizedLayer Factorize(LayerSpec l, double[] w, int scheme, int groups, int rank)
    {
        Oracles.Requires.Lapack();
        var (eKh, eKw, dKh, dKw) = Kernels(scheme, l.Kh, l.Kw);
        int enc = eKh * eKw, dec = dKh * dKw, per = l.In / groups;
        int m = l.Out * dec, n = per * enc, p = Math.Min(m, n);
        Assert.That(rank, Is.InRange(1, p));
        var encoder = new double[groups * rank * per * enc];
        var decoder = new double[l.Out * groups * rank * dec];
        for (int g = 0; g < groups; g++)
        {
            var a = new double[m * n];
            for (int o = 0; o < l.Out; o++)
                for (int c = 0; c < per; c++)
                    for (int y = 0; y < l.Kh; y++)
                        for (int x = 0; x < l.Kw; x++)
                        {
                            var (ye, xe, yd, xd) = Split(scheme, y, x);
                            int row = o * dec + yd * dKw + xd, col = c * enc + ye * eKw + xe;
                            a[row * n + col] = w[((o * l.In + g * per + c) * l.Kh + y) * l.Kw + x];
                        }
            var s = new double[p];
            var u = new double[m * p];
            var vt = new double[p * n];
            Oracles.Lapack.ThinSvd(a, m, n, s, u, vt);
            for (int r = 0; r < rank; r++)
            {
                double root = Math.Sqrt(s[r]);
                int q = g * rank + r;
                for (int col = 0; col < n; col++) encoder[q * n + col] = root * vt[r * n + col];
                for (int o = 0; o < l.Out; o++)
                    for (int t = 0; t < dec; t++)
                        decoder[(o * groups * rank + q) * dec + t] = root * u[(o * dec + t) * p + r];
            }
        }
        return new FactorizedLayer(l, scheme, groups, rank, encoder, decoder);
    }

    /// <summary>Ŵ[o,c,y,x] = Σ_r D[o, g·j+r, yd, xd] · E[g·j+r, c − g·in/k, ye, xe], by the composition of the two convolutions.</summary>
    public static double[] Reconstruct(FactorizedLayer f)
    {
        var l = f.Layer;
        var (eKh, eKw, dKh, dKw) = Kernels(f.Scheme, l.Kh, l.Kw);
        int per = l.In / f.Groups, j = f.Rank, kj = f.Groups * j;
        var w = new double[l.Out * l.In * l.Kh * l.Kw];
        for (int o = 0; o < l.Out; o++)
            for (int c = 0; c < l.In; c++)
                for (int y = 0; y < l.Kh; y++)
                    for (int x = 0; x < l.Kw; x++)
                    {
                        var (ye, xe, yd, xd) = Split(f.Scheme, y, x);
                        int g = c / per;
                        double sum = 0;
                        for (int r = 0; r < j; r++)
                        {
                            int q = g * j + r;
                            sum += f.Decoder[((o * kj + q) * dKh + yd) * dKw + xd]
                                 * f.Encoder[((q * per + c - g * per) * eKh + ye) * eKw + xe];
                        }
                        w[((o * l.In + c) * l.Kh + y) * l.Kw + x] = sum;
                    }
        return w;
    }
}
