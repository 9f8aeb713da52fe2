using Alds.Engine.Models;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Alds.Engine.Calibration;

/// <summary>
/// Runs an ONNX model in ONNX Runtime with its compressible layers' inputs added as graph outputs, and accumulates every
/// layer's <see cref="SecondMoment"/> over the calibration inputs. Layers whose moments would exceed the memory budget
/// together go to later passes over the same inputs; each pass's moments are written to the store and released, so
/// memory holds at most one pass (at least the largest layer's moment). Within a sample, layers accumulate in parallel.
/// </summary>
public static class ActivationCapture
{
    /// <summary>Computes and stores the moments of <paramref name="layers"/> missing from <paramref name="store"/>.</summary>
    /// <returns>The layers computed (the others were in the store).</returns>
    public static int Run(OnnxModelSource source, IReadOnlyList<LayerInput> layers, CalibrationInputs inputs, MomentStore store,
        long memoryBudgetBytes, IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default)
    {
        var missing = layers.Where(l => !store.Contains(l.Layer.Name, l.Order)).ToList();
        if (missing.Count == 0) return 0;
        var passes = new List<List<LayerInput>>();
        long used = 0;
        foreach (var layer in missing)
        {
            long bytes = 8L * layer.Order * layer.Order;
            if (passes.Count == 0 || used + bytes > memoryBudgetBytes) { passes.Add([]); used = 0; }
            passes[^1].Add(layer);
            used += bytes;
        }
        int done = 0, total = passes.Count * inputs.Feeds.Count;
        foreach (var pass in passes)
        {
            var moments = pass.Select(l => new SecondMoment(l.Order)).ToArray();
            var names = pass.Select(l => l.Tensor).Distinct().ToArray();
            using var options = Evaluation.EvalSession.CreateOptions();
            using var session = Open(source, names, options);
            // Largest first on the shared workers: the layers' costs differ by orders of magnitude.
            var order = Enumerable.Range(0, pass.Count).OrderByDescending(i => Cost(pass[i])).ToArray();
            foreach (var feed in inputs.Feeds)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report((done++, total, $"pass {passes.IndexOf(pass) + 1}/{passes.Count}"));
                using var results = session.Run(feed.Inputs, names);
                var byName = results.ToDictionary(r => r.Name, r => (Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>)r.AsTensor<float>());
                Parallel.ForEach(order, new ParallelOptions { CancellationToken = cancel }, i =>
                {
                    var result = byName[pass[i].Tensor];
                    var shape = result.Dimensions.ToArray().Select(d => (long)d).ToArray();
                    PatchExtractor.Accumulate(pass[i], result.Buffer.Span, shape, moments[i], feed.Tokens);
                });
            }
            for (int i = 0; i < pass.Count; i++) store.Write(pass[i].Layer.Name, moments[i]);
        }
        progress?.Report((total, total, ""));
        return missing.Count;
    }

    private static double Cost(LayerInput l) => (double)l.Order * l.Order;

    // The model with the captured tensors as extra graph outputs (their types are inferred by ONNX Runtime).
    private static InferenceSession Open(OnnxModelSource source, IReadOnlyList<string> names, SessionOptions options)
    {
        var model = source.Model.Clone();
        var outputs = model.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
            if (outputs.Add(name)) model.Graph.Output.Add(new ValueInfoProto { Name = name });
        try { return new InferenceSession(model.ToByteArray(), options); }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException($"{source.Path}: cannot run the model for calibration ({e.Message.Split('\n')[0].TrimEnd()})", e);
        }
    }

    /// <summary>XxHash128 of the model file's bytes: moments depend on every layer before the one they belong to.</summary>
    public static UInt128 ModelKey(string path)
    {
        var hash = new System.IO.Hashing.XxHash128();
        using var stream = File.OpenRead(path);
        hash.Append(stream);
        return hash.GetCurrentHashAsUInt128();
    }
}
