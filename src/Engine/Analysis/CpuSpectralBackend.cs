using System.Buffers;
using System.Runtime.CompilerServices;
using Alds.Engine.Layers;
using Alds.Engine.Linalg;

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
    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public unsafe IReadOnlyList<SchemeOption> AnalyzeLayer(LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts)
    {
        var options = new List<SchemeOption>();
        int length = checked((int)layer.Params);
        double[]? folded = null;
        try
        {
            fixed (double* w = weight)
                foreach (var scheme in schemes)
                {
                    var fold = new Fold(scheme, layer.Out, layer.In, layer.Kh, layer.Kw);
                    if (scheme == FoldScheme.KernelEncode)
                    {
                        // The identity fold: the weight itself is the folded matrix (no copy, no second buffer).
                        options.AddRange(AnalyzeFold(fold, new Folded(w, length), groupCounts));
                        continue;
                    }
                    // Pooled: a fresh array per layer would be zeroed and page-faulted in again for every layer.
                    folded ??= WorkBuffers.Rent(length);
                    fold.Apply(weight, folded);
                    fixed (double* f = folded)
                        options.AddRange(AnalyzeFold(fold, new Folded(f, length), groupCounts));
                }
        }
        finally { if (folded is not null) WorkBuffers.Return(folded); }
        return options;
    }

    /// <summary>The folded matrix, pinned by the caller for the duration of <see cref="AnalyzeFold"/>.</summary>
    private readonly unsafe struct Folded(double* start, int length)
    {
        private readonly nint _start = (nint)start;

        /// <summary>From element <paramref name="offset"/> to the end.</summary>
        public ReadOnlySpan<double> From(int offset) => new((double*)_start + offset, length - offset);
    }

    private List<SchemeOption> AnalyzeFold(Fold fold, Folded f, IReadOnlyList<int> groupCounts)
    {
        int m = fold.Rows, total = fold.Columns;
        var ks = groupCounts.Append(1).Distinct().Order().ToArray(); // k = 1 always: it gives σ_1(F)
        var rowKs = ks.Where(k => m <= total / k).ToArray();
        var colKs = ks.Where(k => m > total / k).ToArray();

        var sigma = ks.ToDictionary(k => k, k => new double[k * Math.Min(m, total / k)]);
        // Row-side problems, then column-side ones (the results do not depend on the order): the row level lives only
        // during its phase, and each column-level Gram only from its first use to its last.
        int rowFine = rowKs.Length > 0 ? rowKs.Max() : 0;
        int colCoarse = colKs.Length > 0 ? colKs.Min() : 0;
        if (rowKs.Length > 0) SolvePhase(rowKs, RowGramLevel(f, m, total, rowFine));
        if (colKs.Length > 0)
        {
            var uses = new int[colCoarse];
            foreach (var k in colKs.Where(k => k % colCoarse == 0))
                for (int i = 0; i < k; i++) uses[i / (k / colCoarse)]++;
            var level = new ColumnGramLevel(f, m, total, colCoarse, uses);
            try { Solve(colKs, [], level); }
            finally { level.ReleaseAll(); }
        }
        double norm = sigma[1].Length > 0 ? sigma[1][0] : 0;
        return groupCounts.Distinct().Order().Select(k => Curves(fold.Scheme, k, norm, sigma[k], Math.Min(m, total / k))).ToList();

        // Solves every problem of the given k; the level Grams are returned to the pool at the end.
        void SolvePhase(int[] phaseKs, double[][] rowLevel)
        {
            try { Solve(phaseKs, rowLevel, null); }
            finally { foreach (var g in rowLevel) if (g is not null) WorkBuffers.Return(g); }
        }

        void Solve(int[] phaseKs, double[][] rowLevel, ColumnGramLevel? colLevel)
        {
            var tasks = new List<(int k, int group, int size)>();
            foreach (var k in phaseKs)
                for (int i = 0; i < k; i++)
                    tasks.Add((k, i, Math.Min(m, total / k)));
            tasks.Sort((a, b) => b.size != a.size ? b.size.CompareTo(a.size) : a.k != b.k ? a.k.CompareTo(b.k) : a.group.CompareTo(b.group));

            // Longest-first from one shared counter (lock-free): each worker takes the next largest problems, so
            // the few big eigenproblems start first and the many small ones fill the tail. Parallel.For would
            // hand each worker a contiguous range, leaving one with all the big problems.
            // A worker takes up to four problems and runs their tridiagonal stages interleaved (one thread, four
            // independent division chains); each result is bit-identical to solving that problem alone, so which
            // problems share a worker changes no bit. Near the end of the layer a worker takes fewer, so that the
            // last problems still spread over the workers.
            // Problems from the blocked reduction's order on run one at a time, each on all threads (its Gram by the
            // parallel packed product, its reduction by the blocked kernel's team): one Gram and one working copy in
            // memory instead of one per worker, at about the same speed. They are the first in the sorted list.
            int big = tasks.TakeWhile(t => t.size >= TridiagonalReduction.BlockedFrom).Count();
            for (int b = 0; b < big; b++) SolveLarge(b);
            int next = big, workers = Workers(tasks.Count - big);
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, _ =>
            {
                while (true)
                {
                    int left = tasks.Count - Volatile.Read(ref next);
                    if (left <= 0) break;
                    int want = left >= 4 * workers ? 4 : left >= 2 * workers ? 2 : 1;
                    int end = Interlocked.Add(ref next, want);
                    int first = end - want, count = Math.Min(end, tasks.Count) - first;
                    if (count <= 0) break;
                    SolveMany(first, count);
                }
            });

            void SolveLarge(int index)
            {
                var (k, i, r) = tasks[index];
                var gram = WorkBuffers.Rent(r * r);
                try
                {
                    var g = gram.AsSpan(0, r * r);
                    Assemble(k, i, r, g);
                    var s = sigma[k].AsSpan(i * r, r);
                    SymmetricEigen.Values(g, r, s, Threads);
                    for (int j = 0; j < s.Length; j++) s[j] = Math.Sqrt(Math.Max(s[j], 0));
                }
                finally { WorkBuffers.Return(gram); }
            }

            // Problems first … first + count − 1 (count ≤ 4), their tridiagonal stages interleaved.
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            void SolveMany(int first, int count)
            {
                Span<int> n = stackalloc int[4];
                Span<int> offset = stackalloc int[5];
                Span<int?> shifts = stackalloc int?[4];
                int largest = 0;
                for (int q = 0; q < 4; q++)
                {
                    n[q] = q < count ? tasks[first + q].size : 0;
                    largest = Math.Max(largest, n[q]);
                    offset[q + 1] = offset[q] + GroupSpectra.ScratchLength(n[q]);
                }
                // One Gram buffer for the four problems: each is assembled and reduced while it is still in cache;
                // only its tridiagonal form (in w and the scratch) waits for the interleaved stage.
                var gram = WorkBuffers.Rent(largest * largest);
                var scratch = WorkBuffers.Rent(offset[4]);
                try
                {
                    for (int q = 0; q < 4; q++)
                    {
                        if (q >= count) { shifts[q] = null; continue; }
                        var (k, i, r) = tasks[first + q];
                        var g = gram.AsSpan(0, r * r);
                        Assemble(k, i, r, g);
                        shifts[q] = GroupSpectra.Reduce(g, r, Sigma(q), Scratch(scratch, offset, n, q));
                    }
                    GroupSpectra.FinishQuad(n, shifts,
                        Sigma(0), Scratch(scratch, offset, n, 0), Sigma(1), Scratch(scratch, offset, n, 1),
                        Sigma(2), Scratch(scratch, offset, n, 2), Sigma(3), Scratch(scratch, offset, n, 3));
                    for (int q = 0; q < count; q++)
                    {
                        var s = Sigma(q);
                        for (int j = 0; j < s.Length; j++) s[j] = Math.Sqrt(Math.Max(s[j], 0));
                    }
                }
                finally
                {
                    WorkBuffers.Return(gram);
                    WorkBuffers.Return(scratch);
                }

                static Span<double> Scratch(double[] b, ReadOnlySpan<int> o, ReadOnlySpan<int> n, int q) =>
                    b.AsSpan(o[q], GroupSpectra.ScratchLength(n[q]));
                Span<double> Sigma(int q)
                {
                    if (q >= count) return default;
                    var (k, i, r) = tasks[first + q];
                    return sigma[k].AsSpan(i * r, r);
                }
            }

            void Assemble(int k, int i, int r, Span<double> g)
            {
                if (r == m) AssembleRowGram(f, m, total, k, i, rowFine, rowLevel, g, Threads);
                else AssembleColGram(f, m, total, k, i, colCoarse, colLevel!, g, Threads);
            }
        }
    }

    private int Threads => maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;

    private int Workers(int tasks) =>
        Math.Max(1, Math.Min(tasks, maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount));

    /// <summary>Row Grams <c>G_i G_iᵀ</c> (m×m) of the <paramref name="k"/> column blocks.</summary>
    private double[][] RowGramLevel(Folded f, int m, int total, int k)
    {
        int n = total / k;
        var level = new double[k][];
        // Large Grams one at a time, each on all threads; small ones side by side on one thread each.
        bool large = m >= TridiagonalReduction.BlockedFrom;
        int threads = Threads;
        Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = large ? 1 : maxDegreeOfParallelism }, i =>
        {
            level[i] = WorkBuffers.Rent(m * m);
            GroupSpectra.RowGram(f.From(i * n), m, n, total, level[i], large ? threads : 1);
        });
        return level;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AssembleRowGram(Folded f, int m, int total, int k, int i, int fine, double[][] level, Span<double> g, int threads)
    {
        int n = total / k;
        if (fine % k != 0) { GroupSpectra.RowGram(f.From(i * n), m, n, total, g, threads); return; }
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
    private static void AssembleColGram(Folded f, int m, int total, int k, int i, int coarse, ColumnGramLevel level, Span<double> g, int threads)
    {
        int n = total / k;
        if (k % coarse != 0) { GroupSpectra.ColumnGram(f.From(i * n), m, n, total, g, threads); return; }
        int per = k / coarse, nc = total / coarse, offset = (i % per) * n;
        var source = level.Take(i / per, threads);
        try
        {
            for (int a = 0; a < n; a++)
                source.AsSpan((offset + a) * nc + offset, n).CopyTo(g.Slice(a * n, n));
        }
        finally { level.Release(i / per); }
    }

    /// <summary>
    /// The column Grams <c>G_cᵀ G_c</c> of a layer's coarsest column-side groups, made when first needed and given back
    /// when the last problem that reads a diagonal block of them has copied it: a level held whole is up to the layer's
    /// size in float64 (VGG11's classifier.0: 7 Grams of order 3584, 720 MB), most of it waiting for problems that run
    /// much later or never read it twice.
    /// </summary>
    private sealed class ColumnGramLevel(Folded folded, int m, int total, int groups, int[] uses)
    {
        private readonly double[]?[] _grams = new double[]?[groups];
        private readonly int[] _left = (int[])uses.Clone();
        private readonly object[] _gates = Enumerable.Range(0, groups).Select(_ => new object()).ToArray();

        /// <summary>Order of each Gram: the group width <c>total / groups</c>.</summary>
        public int Order => total / groups;

        /// <summary>Gram <paramref name="c"/>, made on first use; every <see cref="Take"/> is paired with one <see cref="Release"/>.</summary>
        public double[] Take(int c, int threads)
        {
            lock (_gates[c])
            {
                if (_grams[c] is { } ready) return ready;
                int n = Order;
                var g = Linalg.WorkBuffers.Rent(n * n);
                GroupSpectra.ColumnGram(folded.From(c * n), m, n, total, g, threads);
                return _grams[c] = g;
            }
        }

        public void Release(int c)
        {
            lock (_gates[c])
            {
                if (--_left[c] > 0 || _grams[c] is not { } g) return;
                _grams[c] = null;
                Linalg.WorkBuffers.Return(g);
            }
        }

        /// <summary>Gives back whatever is still held (after an error or cancellation).</summary>
        public void ReleaseAll()
        {
            for (int c = 0; c < _grams.Length; c++)
                lock (_gates[c])
                    if (_grams[c] is { } g) { _grams[c] = null; Linalg.WorkBuffers.Return(g); }
        }
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

    /// <summary>Nothing to release: the working buffers are per call.</summary>
    public void Dispose() { }
}
