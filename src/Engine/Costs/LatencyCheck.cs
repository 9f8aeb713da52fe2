using Alds.Engine.Evaluation;
using Alds.Engine.Models;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Costs;

/// <summary>
/// Predicted against measured: the original and the compressed ONNX model timed in one process with the session
/// options of <c>alds eval</c> at the batch of <see cref="InputShapes.Batch"/>, alternating (and which goes first) so that drift hits both alike, on zeros at the
/// model's input shape.
/// </summary>
public static class LatencyCheck
{
    /// <summary>Median and p90 of <paramref name="runs"/> alternated runs of each model after 3 warm-up runs each.</summary>
    public static (LatencyStats Original, LatencyStats Compressed) Measure(OnnxModelSource original, string compressedPath, InputShapes shapes,
        int runs, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        var inputs = LayerShapes.Inputs(original, shapes);
        try
        {
            using var options = EvalSession.CreateOptions();
            using var a = BatchedModel.Open(original.Path, options, shapes.Batch);
            using var b = BatchedModel.Open(compressedPath, options, shapes.Batch);
            var names = inputs.Select(i => i.Name).ToArray();
            var values = inputs.Select(i => i.Value).ToArray();
            using var runOptions = new RunOptions();
            var (ta, tb) = AlternatedTiming.Run(() => a.Run(runOptions, names, values, a.OutputNames.ToArray()).Dispose(),
                () => b.Run(runOptions, names, values, b.OutputNames.ToArray()).Dispose(), warmup: 3, runs, cancel);
            return (LatencyStats.FromSamples(ta), LatencyStats.FromSamples(tb));
        }
        finally
        {
            foreach (var (_, v) in inputs) v.Dispose();
        }
    }
}
