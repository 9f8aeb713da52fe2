using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Gpu;

/// <summary>
/// Independent managed oracle for the GPU tests: channel-group folding written from DESIGN §1
/// (explicit permutation then reshape) and singular values by one-sided Jacobi (Hestenes),
/// accurate to a few ulps relative to σ₁.
/// </summary>
internal static class ReferenceSpectra
{
    /// <summary>Group <paramref name="g"/> of scheme <paramref name="scheme"/>, as a dense m × n array.</summary>
    public static double[,] FoldGroup(LayerSpec layer, ReadOnlySpan<double> w, int scheme, int groups, int g)
    {
        int o = layer.Out, kh = layer.Kh, kw = layer.Kw, c = layer.In / groups;
        var data = w.ToArray();
        double W(int oo, int ci, int y, int x) => data[((oo * layer.In + g * c + ci) * kh + y) * kw + x];
        switch (scheme)
        {
            case 0: // [out, c, kh, kw] -> out × (c·kh·kw)
            {
                var a = new double[o, c * kh * kw];
                for (int oo = 0; oo < o; oo++) for (int ci = 0; ci < c; ci++) for (int y = 0; y < kh; y++) for (int x = 0; x < kw; x++)
                    a[oo, (ci * kh + y) * kw + x] = W(oo, ci, y, x);
                return a;
            }
            case 1: // permute [out, kh, kw, c] -> (out·kh) × (kw·c)
            {
                var a = new double[o * kh, kw * c];
                for (int oo = 0; oo < o; oo++) for (int y = 0; y < kh; y++) for (int x = 0; x < kw; x++) for (int ci = 0; ci < c; ci++)
                    a[oo * kh + y, x * c + ci] = W(oo, ci, y, x);
                return a;
            }
            case 2: // permute [out, kw, kh, c] -> (out·kw) × (kh·c)
            {
                var a = new double[o * kw, kh * c];
                for (int oo = 0; oo < o; oo++) for (int x = 0; x < kw; x++) for (int y = 0; y < kh; y++) for (int ci = 0; ci < c; ci++)
                    a[oo * kw + x, y * c + ci] = W(oo, ci, y, x);
                return a;
            }
            case 3: // permute [out, kh, kw, c] -> (out·kh·kw) × c
            {
                var a = new double[o * kh * kw, c];
                for (int oo = 0; oo < o; oo++) for (int y = 0; y < kh; y++) for (int x = 0; x < kw; x++) for (int ci = 0; ci < c; ci++)
                    a[(oo * kh + y) * kw + x, ci] = W(oo, ci, y, x);
                return a;
            }
            default: throw new ArgumentOutOfRangeException(nameof(scheme));
        }
    }

    /// <summary>Singular values, descending, length min(m, n), by one-sided Jacobi on the columns.</summary>
    public static double[] SingularValues(double[,] matrix)
    {
        int m = matrix.GetLength(0), n = matrix.GetLength(1);
        bool wide = n > m;
        int rows = wide ? n : m, cols = wide ? m : n;
        var a = new double[cols][];
        for (int j = 0; j < cols; j++)
        {
            a[j] = new double[rows];
            for (int i = 0; i < rows; i++) a[j][i] = wide ? matrix[j, i] : matrix[i, j];
        }
        for (int sweep = 0; sweep < 60; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < cols - 1; p++)
            for (int q = p + 1; q < cols; q++)
            {
                double alpha = 0, beta = 0, gamma = 0;
                for (int i = 0; i < rows; i++)
                {
                    alpha += a[p][i] * a[p][i];
                    beta += a[q][i] * a[q][i];
                    gamma += a[p][i] * a[q][i];
                }
                if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                rotated = true;
                double zeta = (beta - alpha) / (2 * gamma);
                double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                double cs = 1 / Math.Sqrt(1 + t * t), sn = cs * t;
                for (int i = 0; i < rows; i++)
                {
                    double x = a[p][i], y = a[q][i];
                    a[p][i] = cs * x - sn * y;
                    a[q][i] = sn * x + cs * y;
                }
            }
            if (!rotated) break;
        }
        var s = a.Select(col => Math.Sqrt(col.Sum(v => v * v))).ToArray();
        Array.Sort(s);
        Array.Reverse(s);
        return s;
    }

    /// <summary>The error curves of DESIGN §1 from the reference singular values.</summary>
    public static SchemeOption Curves(LayerSpec layer, ReadOnlySpan<double> w, int scheme, int groups)
    {
        var norm = SingularValues(FoldGroup(layer, w, scheme, 1, 0))[0];
        var sigmas = new double[groups][];
        for (int g = 0; g < groups; g++) sigmas[g] = SingularValues(FoldGroup(layer, w, scheme, groups, g));
        int p = sigmas[0].Length;
        var max = new double[p];
        var rss = new double[p];
        for (int j = 1; j <= p; j++)
        {
            if (j == p || norm == 0) continue;
            max[j - 1] = sigmas.Max(s => s[j]) / norm;
            rss[j - 1] = Math.Sqrt(sigmas.Sum(s => s[j] * s[j])) / norm;
        }
        return new SchemeOption(scheme, groups, norm, max, rss);
    }

    /// <summary>Seeded standard-normal-ish weights (sum of uniforms), optionally with a decaying spectrum.</summary>
    public static double[] RandomWeight(LayerSpec layer, int seed)
    {
        var rng = new Random(seed);
        var w = new double[layer.Params];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5;
        return w;
    }
}
