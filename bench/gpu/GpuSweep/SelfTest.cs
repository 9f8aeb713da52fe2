using Alds.Engine.Analysis;
using Alds.Engine.Gpu;
using Alds.Engine.Layers;

namespace Alds.GpuSweep;

/// <summary>
/// The GPU checks of tests/Engine.Tests/Gpu in a form that runs without the test platform:
/// GPU error curves against a managed one-sided-Jacobi reference (1e-6 absolute), factors that
/// reconstruct, and the large-Gram solver paths.
/// </summary>
internal static class SelfTest
{
    public static int Run(GpuSpectralBackend gpu)
    {
        int failures = 0;
        void Check(string name, bool ok, string detail)
        {
            Console.WriteLine($"{(ok ? "PASS" : "FAIL")} {name}: {detail}");
            if (!ok) failures++;
        }

        var cases = new (LayerSpec layer, int[] schemes, int[] ks)[]
        {
            (new("conv", LayerKind.Conv, 8, 12, 3, 3, "w", null), FoldScheme.All, [1, 2, 3, 4, 6, 12]),
            (new("fc", LayerKind.Linear, 48, 96, 1, 1, "w", null), [0], [1, 2, 3]),
            (new("conv40", LayerKind.Conv, 40, 16, 3, 3, "w", null), [0, 3], [1, 2, 4]),
        };
        int seed = 1;
        foreach (var (layer, schemes, ks) in cases)
        {
            var w = Workloads.RandomWeight(layer, seed++);
            var options = gpu.AnalyzeLayer(layer, w, schemes, ks);
            double worst = 0;
            foreach (var o in options)
            {
                var r = Reference.Curves(layer, w, o.Scheme, o.Groups);
                for (int j = 0; j < r.max.Length; j++)
                    worst = Math.Max(worst, Math.Max(Math.Abs(o.ErrorsMax[j] - r.max[j]), Math.Abs(o.ErrorsRss[j] - r.rss[j])));
            }
            Check($"curves {layer.Name} [{string.Join(",", layer.Shape)}]", worst <= 1e-6 && options.Count > 0,
                $"{options.Count} options, max |gpu - reference| = {worst:E2}");
        }

        using (var loop = GpuSpectralBackend.Create(allowBatchedLargeSolver: false))
        {
            var layer = new LayerSpec("fc", LayerKind.Linear, 48, 96, 1, 1, "w", null);
            var w = Workloads.RandomWeight(layer, 9);
            var a = gpu.AnalyzeLayer(layer, w, [0], [1, 2]);
            var b = loop.AnalyzeLayer(layer, w, [0], [1, 2]);
            double d = a.Zip(b).Max(p => p.First.ErrorsMax.Zip(p.Second.ErrorsMax).Max(q => Math.Abs(q.First - q.Second)));
            Check("syevd loop agrees with " + gpu.LargeSolver, d <= 1e-9, $"max diff {d:E2}");
        }

        {
            var layer = new LayerSpec("conv", LayerKind.Conv, 6, 8, 3, 3, "w", null);
            var w = Workloads.RandomWeight(layer, 4);
            foreach (var (s, k, rank) in new[] { (0, 2, 3), (3, 4, 2), (1, 1, 5) })
            {
                var f = gpu.Factorize(layer, w, s, k, rank);
                double worst = 0;
                for (int g = 0; g < k; g++)
                {
                    var a = Reference.FoldGroup(layer, w, s, k, g);
                    var sv = Reference.SingularValues(a);
                    double res = 0, tot = 0;
                    for (int r = 0; r < f.M; r++)
                    for (int c = 0; c < f.N; c++)
                    {
                        double x = 0;
                        for (int t = 0; t < rank; t++) x += f.Decoders[g][r * rank + t] * f.Encoders[g][t * f.N + c];
                        res += (a[r, c] - x) * (a[r, c] - x);
                        tot += a[r, c] * a[r, c];
                    }
                    worst = Math.Max(worst, Math.Abs(Math.Sqrt(res) - Math.Sqrt(sv.Skip(rank).Sum(v => v * v))) / Math.Sqrt(tot));
                }
                Check($"factors s={s} k={k} j={rank}", worst <= 1e-6, $"|‖G-DE‖F - tail| / ‖G‖F = {worst:E2}");
            }
        }

        Console.WriteLine(failures == 0 ? "selftest: all passed" : $"selftest: {failures} failed");
        return failures == 0 ? 0 : 1;
    }
}

/// <summary>Managed reference (same construction as tests/Engine.Tests/Gpu/ReferenceSpectra.cs).</summary>
internal static class Reference
{
    public static double[,] FoldGroup(LayerSpec l, double[] w, int s, int k, int g)
    {
        int o = l.Out, kh = l.Kh, kw = l.Kw, c = l.In / k;
        double W(int oo, int ci, int y, int x) => w[((oo * l.In + g * c + ci) * kh + y) * kw + x];
        var (m, n) = GpuSpectralBackend.GroupShape(l, s, k);
        var a = new double[m, n];
        for (int oo = 0; oo < o; oo++) for (int ci = 0; ci < c; ci++) for (int y = 0; y < kh; y++) for (int x = 0; x < kw; x++)
        {
            var (r, col) = s switch
            {
                0 => (oo, (ci * kh + y) * kw + x),
                1 => (oo * kh + y, x * c + ci),
                2 => (oo * kw + x, y * c + ci),
                _ => ((oo * kh + y) * kw + x, ci),
            };
            a[r, col] = W(oo, ci, y, x);
        }
        return a;
    }

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
                for (int i = 0; i < rows; i++) { alpha += a[p][i] * a[p][i]; beta += a[q][i] * a[q][i]; gamma += a[p][i] * a[q][i]; }
                if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                rotated = true;
                double zeta = (beta - alpha) / (2 * gamma);
                double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                double cs = 1 / Math.Sqrt(1 + t * t), sn = cs * t;
                for (int i = 0; i < rows; i++) { double x = a[p][i], y = a[q][i]; a[p][i] = cs * x - sn * y; a[q][i] = sn * x + cs * y; }
            }
            if (!rotated) break;
        }
        var s = a.Select(col => Math.Sqrt(col.Sum(v => v * v))).ToArray();
        Array.Sort(s);
        Array.Reverse(s);
        return s;
    }

    public static (double[] max, double[] rss) Curves(LayerSpec l, double[] w, int s, int k)
    {
        double norm = SingularValues(FoldGroup(l, w, s, 1, 0))[0];
        var sig = Enumerable.Range(0, k).Select(g => SingularValues(FoldGroup(l, w, s, k, g))).ToArray();
        int p = sig[0].Length;
        var max = new double[p];
        var rss = new double[p];
        for (int j = 1; j < p; j++)
        {
            max[j - 1] = sig.Max(v => v[j]) / norm;
            rss[j - 1] = Math.Sqrt(sig.Sum(v => v[j] * v[j])) / norm;
        }
        return (max, rss);
    }
}
