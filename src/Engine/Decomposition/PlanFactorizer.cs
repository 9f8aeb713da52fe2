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
    /// <summary>
    /// Factorises every compressed layer of <paramref name="plan"/> read from <paramref name="source"/> (by
    /// <paramref name="factorizer"/>; default: the data-free truncated SVD), hands each to <paramref name="sink"/> with
    /// its measured relative error, in plan order, and returns the plan with the measured errors filled in.
    /// </summary>
    /// <param name="quantize">
    /// Applied to the factors before their residual is measured and before <paramref name="sink"/> sees them:
    /// the writers round them to the dtype they store, so the measured error is that of the written factors.
    /// </param>
    public static Plan Run(IModelSource source, Plan plan, Action<FactorizedLayer, double> sink,
        IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default,
        int maxDegreeOfParallelism = -1, Action<FactorizedLayer>? quantize = null, ILayerFactorizer? factorizer = null)
    {
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        // A new stage: what the analysis and the planner left (pooled buffers, option tables) is collected first, so
        // that the factorisation's peak is its own (embedded ResNet18, --schemes all: 571 → 280 MiB).
        Linalg.WorkBuffers.ReleaseAll();
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
                        return FactorizeOne(source, choice, threads, quantize, factorizer);
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

    /// <summary>
    /// One layer's factors and measured residual. The weight is read as float32 where that is exact (stored F32, BF16
    /// or F16: half the memory of float64, which bounds the peak on a large layer) and as float64 otherwise; both
    /// widen to the same float64 arithmetic, so the factors are the same bit for bit.
    /// </summary>
    private static (FactorizedLayer factors, double error, double? whitened) FactorizeOne(IModelSource source, LayerChoice choice,
        int threads, Action<FactorizedLayer>? quantize, ILayerFactorizer? factorizer)
    {
        var layer = choice.Layer;
        if (factorizer is null && source.TryReadWeight(layer, out var single))
        {
            try
            {
                Analysis.SpectrumSweep.EnsureFinite(source.Path, layer, single);
                var factors = Decomposer.Factorize(layer, single, choice.Scheme, choice.Groups, choice.Rank, threads);
                quantize?.Invoke(factors);
                return (factors, ResidualMeasure.RelativeSpectralError(factors, single, choice.Norm), null);
            }
            finally { Linalg.WorkBuffers.NoteReleased(4L * single.LongLength); }
        }
        var rented = Linalg.WorkBuffers.Rent(checked((int)layer.Params));
        try
        {
            var weight = rented.AsSpan(0, (int)layer.Params);
            source.ReadWeight(layer, weight);
            Analysis.SpectrumSweep.EnsureFinite(source.Path, layer, weight);
            if (factorizer is not null)
            {
                // Data-aware factors (ILayerFactorizer) take the float64 weight.
                var whitened = factorizer.Factorize(choice, weight, threads);
                quantize?.Invoke(whitened);
                var (plain, white) = factorizer.Measure(choice, whitened, weight);
                return (whitened, plain, white);
            }
            var factors = Decomposer.Factorize(layer, weight, choice.Scheme, choice.Groups, choice.Rank, threads);
            quantize?.Invoke(factors);
            return (factors, ResidualMeasure.RelativeSpectralError(factors, weight, choice.Norm), null);
        }
        finally { Linalg.WorkBuffers.Return(rented); }
    }
}
