using System.Diagnostics;
using System.Text.Json;
using Alds.Engine.Analysis;
using Alds.Engine.Models;

namespace Alds.Peers;

/// <summary>
/// The result of <c>alds bench sweep</c>: our whole-model sweep against the numpy peers computing the same
/// curves, with the largest absolute curve difference of each as the correctness check of the same run.
/// </summary>
public sealed record SweepBenchResult(int Layers, int Options, long Params, double OursSeconds, IReadOnlyList<SweepPeerResult> Peers, string? PeerNote)
{
    /// <summary>The peer of <paramref name="route"/>, when it ran.</summary>
    public SweepPeerResult? Peer(NumpyRoute route) => Peers.FirstOrDefault(p => p.Route == route);
}

/// <summary>One numpy route's median time and its largest absolute curve difference to ours.</summary>
public sealed record SweepPeerResult(NumpyRoute Route, double Seconds, double MaxAbsDiff, double OursSeconds)
{
    /// <summary>Peer time over ours: above 1 means we are faster.</summary>
    public double Speedup => Seconds / OursSeconds;
}

/// <summary>How the numpy peer computes the singular values of every group (<c>bench/peers/sweep_numpy.py</c>).</summary>
public enum NumpyRoute
{
    /// <summary><c>np.linalg.svd(compute_uv=False)</c> on the stacked groups: accurate to every value.</summary>
    Svd,
    /// <summary>The smaller Gram of each group in float64 and <c>np.linalg.eigvalsh</c>: numpy's fastest route.</summary>
    Gram,
}

/// <summary>
/// Scheme 0, every candidate k (<see cref="GroupCounts.Candidates"/>): ours is <see cref="SpectrumSweep.Run"/> with the
/// given backend, timed whole on weights already read into memory (as the peer's are), after one untimed warm-up run; the peer
/// (<c>bench/peers/sweep_numpy.py</c>) gets every layer's canonical float64 weight in a temporary file and is timed on
/// its numpy work only (file reads excluded). Both sides therefore time the same thing: curves from in-memory weights.
/// </summary>
public static class SweepBenchmark
{
    public static SweepBenchResult Run(IModelSource source, ISpectralBackend backend, int repeat, IReadOnlyList<NumpyRoute> routes,
        int maxGroups = int.MaxValue, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var options = new SweepOptions([FoldScheme.KernelEncode], maxGroups) { Cancel = cancel };
        ModelAnalysis ours = null!;
        var times = new List<double>();
        using var preloaded = new PreloadedSource(source);
        // One untimed run first: JIT compilation is start-up cost, like the peer's (excluded) interpreter and numpy import.
        SpectrumSweep.Run(preloaded, backend, options, cancel: cancel);
        for (int r = 0; r < repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            ours = SpectrumSweep.Run(preloaded, backend, options, cancel: cancel);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        double oursSeconds = times[times.Count / 2];
        int optionCount = ours.Layers.Sum(l => l.Options.Count);
        long parameters = ours.Layers.Sum(l => l.Layer.Params);
        if (routes.Count == 0) return new SweepBenchResult(ours.Layers.Count, optionCount, parameters, oursSeconds, [], "peer not requested");
        var script = PythonPeer.Find("sweep_numpy.py", out var reason);
        if (script is null) return new SweepBenchResult(ours.Layers.Count, optionCount, parameters, oursSeconds, [], reason);

        var dir = Directory.CreateTempSubdirectory("alds-bench-sweep-");
        try
        {
            string index = Path.Combine(dir.FullName, "index.json"), weights = Path.Combine(dir.FullName, "weights.f64"), curves = Path.Combine(dir.FullName, "curves.f64");
            var ks = Export(source, ours, maxGroups, index, weights);
            var peers = new List<SweepPeerResult>();
            string version = "";
            foreach (var route in routes)
            {
                var peerTimes = new List<double>();
                for (int r = 0; r < repeat; r++)
                {
                    using var doc = script.Run([index, weights, curves, route.ToString().ToLowerInvariant()], cancel: cancel);
                    peerTimes.Add(doc.RootElement.GetProperty("compute_s").GetDouble());
                    version = doc.RootElement.GetProperty("numpy").GetString() ?? "";
                }
                peerTimes.Sort();
                peers.Add(new SweepPeerResult(route, peerTimes[peerTimes.Count / 2], Compare(ours, ks, curves), oursSeconds));
            }
            return new SweepBenchResult(ours.Layers.Count, optionCount, parameters, oursSeconds, peers, $"numpy {version}");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or JsonException or KeyNotFoundException)
        {
            return new SweepBenchResult(ours.Layers.Count, optionCount, parameters, oursSeconds, [], $"numpy peer failed: {e.Message}");
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>Writes each analysed layer's float64 weight and the JSON index; returns the k list of each layer.</summary>
    private static int[][] Export(IModelSource source, ModelAnalysis analysis, int maxGroups, string indexPath, string weightsPath)
    {
        var ks = new int[analysis.Layers.Count][];
        using var weights = new FileStream(weightsPath, FileMode.CreateNew, FileAccess.Write);
        using var index = new FileStream(indexPath, FileMode.CreateNew, FileAccess.Write);
        using var json = new Utf8JsonWriter(index);
        json.WriteStartObject();
        json.WriteStartArray("layers");
        long offset = 0;
        for (int l = 0; l < analysis.Layers.Count; l++)
        {
            var layer = analysis.Layers[l].Layer;
            ks[l] = [.. GroupCounts.Candidates(layer, FoldScheme.KernelEncode, maxGroups)];
            var w = new double[layer.Params];
            source.ReadWeight(layer, w);
            weights.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.AsSpan()));
            json.WriteStartObject();
            json.WriteString("name", layer.Name);
            json.WriteNumber("out", layer.Out);
            json.WriteNumber("in", layer.In);
            json.WriteNumber("kh", layer.Kh);
            json.WriteNumber("kw", layer.Kw);
            json.WriteNumber("offset", offset);
            json.WriteStartArray("ks");
            foreach (var k in ks[l]) json.WriteNumberValue(k);
            json.WriteEndArray();
            json.WriteEndObject();
            offset += layer.Params;
        }
        json.WriteEndArray();
        json.WriteEndObject();
        return ks;
    }

    /// <summary>Largest absolute difference between our curves and the peer's, over every layer, k, j and both measures.</summary>
    private static double Compare(ModelAnalysis ours, int[][] ks, string curvesPath)
    {
        var bytes = File.ReadAllBytes(curvesPath);
        var peer = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes);
        int at = 0;
        double diff = 0;
        for (int l = 0; l < ours.Layers.Count; l++)
        {
            foreach (var k in ks[l])
            {
                var option = ours.Layers[l].Options.FirstOrDefault(o => o.Scheme == FoldScheme.KernelEncode && o.Groups == k)
                    ?? throw new InvalidOperationException($"our sweep has no option k = {k} for layer {ours.Layers[l].Layer.Name}");
                foreach (var curve in new[] { option.ErrorsMax, option.ErrorsRss })
                {
                    if (at + curve.Length > peer.Length) throw new InvalidOperationException("the peer wrote fewer curve values than expected");
                    for (int j = 0; j < curve.Length; j++) diff = Math.Max(diff, Math.Abs(curve[j] - peer[at + j]));
                    at += curve.Length;
                }
            }
        }
        if (at != peer.Length) throw new InvalidOperationException($"the peer wrote {peer.Length} curve values, expected {at}");
        return diff;
    }

    /// <summary>Every layer's canonical float64 weight read once, up front; <see cref="ReadWeight"/> is a memory copy.</summary>
    private sealed class PreloadedSource : IModelSource
    {
        private readonly IModelSource inner;
        private readonly Dictionary<string, double[]> weights = new();

        public PreloadedSource(IModelSource inner)
        {
            this.inner = inner;
            foreach (var layer in inner.Layers)
            {
                var w = new double[layer.Params];
                inner.ReadWeight(layer, w);
                weights[layer.Name] = w;
            }
        }

        public string Path => inner.Path;
        public IReadOnlyList<Alds.Engine.Tensors.TensorEntry> Tensors => inner.Tensors;
        public IReadOnlyList<Alds.Engine.Layers.LayerSpec> Layers => inner.Layers;
        public IReadOnlyList<Alds.Engine.Layers.SkippedTensor> Skipped => inner.Skipped;
        public void ReadWeight(Alds.Engine.Layers.LayerSpec layer, Span<double> destination) => weights[layer.Name].CopyTo(destination);
        public void ReadFloat64(string tensor, Span<double> destination) => inner.ReadFloat64(tensor, destination);
        public void CopyRawBytes(string tensor, Stream destination) => inner.CopyRawBytes(tensor, destination);
        public void Dispose() { }
    }
}
