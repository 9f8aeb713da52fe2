using System.Buffers;
using System.Runtime.CompilerServices;
using Alds.Engine.Layers;

namespace Alds.Engine.Analysis;

/// <summary>
/// The CPU sweep: for each scheme and candidate <c>k</c>, all singular values of every channel group,
/// as square roots of the eigenvalues of the smaller Gram matrix, accumulated in float64.
/// Work is reused across group counts: row Grams (<c>G Gᵀ</c>) of coarse groups are sums of those of
/// the finest row-Gram level, column Grams (<c>Gᵀ G</c>) of fine groups are diagonal blocks of those of
/// the coarsest column-Gram level. Eigenproblems run in parallel, each writing its own slot, so the
/// result is bit-identical for any thread count.
/// Precision: error curves are exact to float64 rounding of the Gram route, about
/// <c>1e-12</c> absolute for values above <c>1e-6</c>, and <c>√ε ≈ 1.5e-8</c> absolute near zero.
/// </summary>
public sealed class CpuSpectralBackend(int maxDegreeOfParallelism = -1) : ISpectralBackend
{
    public string Name => "cpu";

    /// <summary>Every call works on its own buffers: layers may overlap.</summary>
    public bool AllowsConcurrentLayers => true;

    public IReadOnlyList<SchemeOption> AnalyzeLayer(LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts)
    {
        var options = new List<SchemeOption>();
        // Pooled: a fresh array per layer would be zeroed and page-faulted in again for every layer.
        var folded = ArrayPool<double>.Shared.Rent(checked((int)layer.Params));
        try
        {
            foreach (var scheme in schemes)
            {
                var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
                fold.Apply(weight, folded);
                options.AddRange(AnalyzeFold(fold, folded, groupCounts));
            }
        }
        finally { ArrayPool<double>.Shared.Return(folded); }
        return options;
    }

    private List<SchemeOption> AnalyzeFold(Fold fold, double[] f, IReadOnlyList<int> groupCounts)
    {
        int m = fold.Rows, total = fold.Columns;
        var ks = groupCounts.Append(1).Distinct().Order().ToArray(); // k = 1 always: it gives σ_1(F)
        var rowKs = ks.Where(k => m <= total / k).ToArray();
        var colKs = ks.Where(k => m > total / k).ToArray();

        // Level Grams shared by several k.
        int rowFine = rowKs.Length > 0 ? rowKs.Max() : 0;
        int colCoarse = colKs.Length > 0 ? colKs.Min() : 0;
        var rowLevel = rowFine > 0 ? GramLevel(f, m, total, rowFine, rowSide: true) : [];
        var colLevel = colCoarse > 0 ? GramLevel(f, m, total, colCoarse, rowSide: false) : [];
        try
        {
            var tasks = new List<(int k, int group, int size)>();
            foreach (var k in ks)
                for (int i = 0; i < k; i++)
                    tasks.Add((k, i, Math.Min(m, total / k)));
            tasks.Sort((a, b) => b.size != a.size ? b.size.CompareTo(a.size) : a.k != b.k ? a.k.CompareTo(b.k) : a.group.CompareTo(b.group));

            var sigma = ks.ToDictionary(k => k, k => new double[k * Math.Min(m, total / k)]);
            // Longest-first from one shared counter (lock-free): each worker takes the next largest problem, so
            // the few big eigenproblems start first and the many small ones fill the tail. Parallel.For would
            // hand each worker a contiguous range, leaving one with all the big problems.
            // A worker takes two problems and runs their tridiagonal stages interleaved (one thread, two independent
            // division chains); the pair's results are bit-identical to solving each alone. The tail imbalance this
            // could cause is absorbed by the next layer, which SpectrumSweep runs alongside.
            int next = -1, workers = Workers(tasks.Count);
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, _ =>
            {
                for (int t = Interlocked.Increment(ref next); t < tasks.Count; t = Interlocked.Increment(ref next))
                {
                    if (tasks.Count - t > 2)
                    {
                        int u = Interlocked.Increment(ref next);
                        if (u < tasks.Count) { SolveTwo(t, u); continue; }
                    }
                    SolveOne(t);
                }
            });

            double norm = sigma[1].Length > 0 ? sigma[1][0] : 0;
            return groupCounts.Distinct().Order().Select(k => Curves(fold.Scheme, k, norm, sigma[k], Math.Min(m, total / k))).ToList();

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            void SolveTwo(int t, int u)
            {
                var (k1, i1, r1) = tasks[t];
                var (k2, i2, r2) = tasks[u];
                int len1 = r1 * r1 + GroupSpectra.ScratchLength(r1), len2 = r2 * r2 + GroupSpectra.ScratchLength(r2);
                var gram = ArrayPool<double>.Shared.Rent(len1 + len2);
                try
                {
                    var g1 = gram.AsSpan(0, r1 * r1);
                    var g2 = gram.AsSpan(len1, r2 * r2);
                    Assemble(k1, i1, r1, g1);
                    Assemble(k2, i2, r2, g2);
                    var s1 = sigma[k1].AsSpan(i1 * r1, r1);
                    var s2 = sigma[k2].AsSpan(i2 * r2, r2);
                    GroupSpectra.EigenvaluesPair(g1, r1, s1, gram.AsSpan(r1 * r1, GroupSpectra.ScratchLength(r1)),
                        g2, r2, s2, gram.AsSpan(len1 + r2 * r2, GroupSpectra.ScratchLength(r2)));
                    for (int q = 0; q < r1; q++) s1[q] = Math.Sqrt(Math.Max(s1[q], 0));
                    for (int q = 0; q < r2; q++) s2[q] = Math.Sqrt(Math.Max(s2[q], 0));
                }
                finally { ArrayPool<double>.Shared.Return(gram); }
            }

            void Assemble(int k, int i, int r, Span<double> g)
            {
                if (r == m) AssembleRowGram(f, m, total, k, i, rowFine, rowLevel, g);
                else AssembleColGram(f, m, total, k, i, colCoarse, colLevel, g);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called a few times per layer: tier-0 code would run most of a short sweep
            void SolveOne(int t)
            {
                var (k, i, r) = tasks[t];
                int n = total / k;
                var gram = ArrayPool<double>.Shared.Rent(r * r + GroupSpectra.ScratchLength(r));
                try
                {
                    var g = gram.AsSpan(0, r * r);
                    if (r == m) AssembleRowGram(f, m, total, k, i, rowFine, rowLevel, g);
                    else AssembleColGram(f, m, total, k, i, colCoarse, colLevel, g);
                    var s = sigma[k].AsSpan(i * r, r);
                    GroupSpectra.Eigenvalues(g, r, s, gram.AsSpan(r * r, GroupSpectra.ScratchLength(r)));
                    for (int q = 0; q < r; q++) s[q] = Math.Sqrt(Math.Max(s[q], 0));
                }
                finally { ArrayPool<double>.Shared.Return(gram); }
            }
        }
        finally { foreach (var g in rowLevel.Concat(colLevel)) if (g is not null) ArrayPool<double>.Shared.Return(g); }
    }

    private int Workers(int tasks) =>
        Math.Max(1, Math.Min(tasks, maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount));

    /// <summary>Grams of the <paramref name="k"/> column blocks: row side <c>m×m</c> or column side <c>n×n</c>.</summary>
    private double[][] GramLevel(double[] f, int m, int total, int k, bool rowSide)
    {
        int n = total / k, size = rowSide ? m : n;
        var level = new double[k][];
        Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
        {
            level[i] = ArrayPool<double>.Shared.Rent(size * size);
            var block = f.AsSpan(i * n);
            if (rowSide) GroupSpectra.RowGram(block, m, n, total, level[i]);
            else GroupSpectra.ColumnGram(block, m, n, total, level[i]);
        });
        return level;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AssembleRowGram(double[] f, int m, int total, int k, int i, int fine, double[][] level, Span<double> g)
    {
        int n = total / k;
        if (fine % k != 0) { GroupSpectra.RowGram(f.AsSpan(i * n), m, n, total, g); return; }
        int per = fine / k;
        for (int a = 0; a < m; a++) // lower triangles only: the upper ones are never written
        {
            var row = g.Slice(a * m, a + 1);
            level[i * per].AsSpan(a * m, a + 1).CopyTo(row);
            for (int t = 1; t < per; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(row, level[i * per + t].AsSpan(a * m, a + 1), row);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AssembleColGram(double[] f, int m, int total, int k, int i, int coarse, double[][] level, Span<double> g)
    {
        int n = total / k;
        if (k % coarse != 0) { GroupSpectra.ColumnGram(f.AsSpan(i * n), m, n, total, g); return; }
        int per = k / coarse, nc = total / coarse, offset = (i % per) * n;
        var source = level[i / per];
        for (int a = 0; a < n; a++)
            source.AsSpan((offset + a) * nc + offset, n).CopyTo(g.Slice(a * n, n));
    }

    /// <summary>Error curves from the descending singular values of the <paramref name="k"/> groups.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static SchemeOption Curves(int scheme, int k, double norm, ReadOnlySpan<double> sigma, int r)
    {
        var max = new double[r];
        var rss = new double[r];
        if (norm > 0)
        {
            for (int j = 1; j < r; j++)
            {
                double worst = 0, squares = 0;
                for (int i = 0; i < k; i++)
                {
                    var s = sigma[i * r + j];
                    worst = Math.Max(worst, s);
                    squares += s * s;
                }
                max[j - 1] = worst / norm;
                rss[j - 1] = Math.Sqrt(squares) / norm;
            }
        }
        return new SchemeOption(scheme, k, norm, max, rss);
    }

    public void Dispose() { }
}
