using Alds.Engine.Analysis;
using Alds.Engine.Gpu;
using Alds.Engine.Layers;
using Alds.Engine.Tests.Gpu;

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
                var r = ReferenceSpectra.Curves(layer, w, o.Scheme, o.Groups);
                for (int j = 0; j < r.ErrorsMax.Length; j++)
                    worst = Math.Max(worst, Math.Max(Math.Abs(o.ErrorsMax[j] - r.ErrorsMax[j]), Math.Abs(o.ErrorsRss[j] - r.ErrorsRss[j])));
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
                    var a = ReferenceSpectra.FoldGroup(layer, w, s, k, g);
                    var sv = ReferenceSpectra.SingularValues(a);
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
