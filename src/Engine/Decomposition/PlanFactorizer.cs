using Alds.Engine.Models;
using Alds.Engine.Planning;

namespace Alds.Engine.Decomposition;

/// <summary>
/// Factorises every compressed layer of a plan and measures its true residual. Layers are processed in
/// batches of <c>maxDegreeOfParallelism</c> (one layer per thread, so memory stays bounded by a few layers),
/// and handed to the sink in plan order, so the output is identical for any thread count.
/// </summary>
public static class PlanFactorizer
{
    public static Plan Run(IModelSource source, Plan plan, Action<FactorizedLayer, double> sink,
        IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default,
        int maxDegreeOfParallelism = -1)
    {
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        var compressed = plan.Layers.Select((l, i) => (l, i)).Where(x => x.l.Compressed).ToArray();
        var measured = new double?[plan.Layers.Count];
        for (int start = 0; start < compressed.Length; start += threads)
        {
            cancel.ThrowIfCancellationRequested();
            var batch = compressed.Skip(start).Take(threads).ToArray();
            progress?.Report((start, compressed.Length, batch[0].l.Layer.Name));
            var results = new (FactorizedLayer factors, double error)[batch.Length];
            Parallel.For(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, b =>
            {
                var choice = batch[b].l;
                var weight = new double[choice.Layer.Params];
                lock (source) source.ReadWeight(choice.Layer, weight);
                Analysis.SpectrumSweep.EnsureFinite(source.Path, choice.Layer, weight);
                var factors = Decomposer.Factorize(choice.Layer, weight, choice.Scheme, choice.Groups, choice.Rank);
                results[b] = (factors, ResidualMeasure.RelativeSpectralError(factors, weight));
            });
            for (int b = 0; b < batch.Length; b++)
            {
                measured[batch[b].i] = results[b].error;
                sink(results[b].factors, results[b].error);
            }
        }
        progress?.Report((compressed.Length, compressed.Length, ""));
        var layers = plan.Layers.Select((l, i) => l with { RelErrorMeasured = l.Compressed ? measured[i] : 0.0 }).ToArray();
        return plan with { Layers = layers };
    }
}
