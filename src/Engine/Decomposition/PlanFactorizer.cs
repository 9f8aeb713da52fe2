using Alds.Engine.Models;
using Alds.Engine.Planning;

namespace Alds.Engine.Decomposition;

/// <summary>
/// Factorises every compressed layer of a plan and measures its true residual. Layers run concurrently in a
/// sliding window of <c>2 × threads</c> layers ahead of the sink (so memory stays bounded by a few layers and a
/// long layer never stalls the others as a batch barrier would), the groups of a layer in parallel too, and
/// results reach the sink in plan order, so the output is identical for any thread count.
/// </summary>
public static class PlanFactorizer
{
    /// <param name="quantize">
    /// Applied to the factors before their residual is measured and before <paramref name="sink"/> sees them:
    /// the writers round them to the dtype they store, so the measured error is that of the written factors.
    /// </param>
    public static Plan Run(IModelSource source, Plan plan, Action<FactorizedLayer, double> sink,
        IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default,
        int maxDegreeOfParallelism = -1, Action<FactorizedLayer>? quantize = null, ILayerFactorizer? factorizer = null)
    {
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        var compressed = plan.Layers.Select((l, i) => (l, i)).Where(x => x.l.Compressed).ToArray();
        var measured = new double?[plan.Layers.Count];
        var measuredWhitened = new double?[plan.Layers.Count];
        int window = threads == 1 ? 1 : 2 * threads;
        var running = new Task<(FactorizedLayer factors, double error, double? whitened)>[compressed.Length];
        var gate = new SemaphoreSlim(threads); // at most `threads` layers computing; the window bounds results held
        int sunk = 0;
        long largest = compressed.Length == 0 ? 0 : compressed.Max(c => c.l.Layer.Params);
        long InFlight(int from, int to) { long sum = 0; for (int b = from; b < to; b++) sum += compressed[b].l.Layer.Params; return sum; }
        try
        {
            for (int start = 0; start < compressed.Length; start++)
            {
                cancel.ThrowIfCancellationRequested();
                // Bounded memory: a window of layers, and never more weight in flight than the largest layer's.
                while (start - sunk >= window || (start > sunk && InFlight(sunk, start) + compressed[start].l.Layer.Params > largest))
                    Sink(sunk++);
                var choice = compressed[start].l;
                running[start] = Task.Run(async () =>
                {
                    await gate.WaitAsync(cancel).ConfigureAwait(false);
                    try
                    {
                        cancel.ThrowIfCancellationRequested();
                        var rented = Linalg.WorkBuffers.Rent(checked((int)choice.Layer.Params));
                        try
                        {
                            var weight = rented.AsSpan(0, (int)choice.Layer.Params);
                            source.ReadWeight(choice.Layer, weight);
                            Analysis.SpectrumSweep.EnsureFinite(source.Path, choice.Layer, weight);
                            if (factorizer is not null)
                            {
                                var whitened = factorizer.Factorize(choice, weight, threads);
                                quantize?.Invoke(whitened);
                                var (plain, white) = factorizer.Measure(choice, whitened, weight);
                                return (whitened, plain, (double?)white);
                            }
                            var factors = Decomposer.Factorize(choice.Layer, weight, choice.Scheme, choice.Groups, choice.Rank, threads);
                            quantize?.Invoke(factors);
                            return (factors, ResidualMeasure.RelativeSpectralError(factors, weight, choice.Norm), (double?)null);
                        }
                        finally { Linalg.WorkBuffers.Return(rented); }
                    }
                    finally { gate.Release(); }
                }, cancel);
            }
            while (sunk < compressed.Length) Sink(sunk++);
        }
        finally
        {
            // Never leave workers reading the source after an error or cancellation.
            foreach (var t in running) if (t is not null) try { t.Wait(); } catch (Exception) { }
        }
        progress?.Report((compressed.Length, compressed.Length, ""));
        var layers = plan.Layers.Select((l, i) => l with
        {
            RelErrorMeasured = l.Compressed ? measured[i] : 0.0,
            RelErrorMeasuredWhitened = factorizer is null ? null : l.Compressed ? measuredWhitened[i] : 0.0,
        }).ToArray();
        return plan with { Layers = layers };

        void Sink(int b)
        {
            progress?.Report((b, compressed.Length, compressed[b].l.Layer.Name));
            var (factors, error, whitened) = running[b].GetAwaiter().GetResult(); // the original exception, not an aggregate
            measured[compressed[b].i] = error;
            measuredWhitened[compressed[b].i] = whitened;
            running[b] = null!; // let the factors go once sunk
            Linalg.WorkBuffers.CollectReturned(); // the layer's weight and Grams, before the sink encodes the factors
            sink(factors, error);
            // Once sunk, the factors (and the SVD's vectors they came from, about as large) are garbage.
            Linalg.WorkBuffers.NoteReleased(2 * 8L * (factors.Encoder.LongLength + factors.Decoder.LongLength));
        }
    }
}
