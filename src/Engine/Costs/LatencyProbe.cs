using System.Diagnostics;
using Alds.Engine.Analysis;
using Alds.Engine.Decomposition;
using Alds.Engine.Evaluation;
using Alds.Engine.Export;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Alds.Engine.Costs;

/// <summary>
/// Measures one layer at a time in ONNX Runtime with the session options of <c>alds eval</c> (CPU, intra-op threads =
/// logical CPUs, all graph optimisations): a graph of the layer's own node(s) at its real input shape, with random
/// weights, kept whole or rewritten by <see cref="OnnxRewriter"/> exactly as <c>alds compress</c> rewrites it (so the
/// grouped encoder and the decoder are the nodes the compressed model will run). A measurement is the <b>fastest</b> of
/// <see cref="Runs"/> timed runs after <see cref="Warmup"/> untimed ones, on an input of zeros: on a shared machine the
/// minimum is the stable estimate of the uncontended time (a median moves with the neighbours' load), and on a quiet
/// machine it is within a few percent of the median that <c>alds eval</c> reports. Layers with the same node, attributes
/// and shapes (ResNet's repeated blocks) are measured once and share their numbers.
/// </summary>
public sealed class LatencyProbe : IDisposable
{
    private readonly OnnxModelSource _source;
    private readonly Dictionary<string, LayerGeometry> _geometry;
    private readonly Dictionary<string, TensorEntry> _tensors;
    private readonly SessionOptions _options = EvalSession.CreateOptions();
    private readonly Random _random = new(20261203);
    private readonly Dictionary<string, long> _memo = new(StringComparer.Ordinal);

    /// <summary>A probe of <paramref name="source"/>'s layers at the shapes in <paramref name="geometry"/>, timing
    /// <paramref name="runs"/> runs after <paramref name="warmup"/> untimed ones.</summary>
    public LatencyProbe(OnnxModelSource source, IEnumerable<LayerGeometry> geometry, int warmup = 2, int runs = 9)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        _source = source;
        _geometry = geometry.ToDictionary(g => g.Layer.Name, StringComparer.Ordinal);
        _tensors = source.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Warmup = warmup;
        Runs = runs;
    }

    /// <summary>Untimed runs before the timed ones.</summary>
    internal int Warmup { get; }

    /// <summary>Timed runs; the fastest is the measurement.</summary>
    internal int Runs { get; }

    /// <summary>Intra-op threads of every session (as <c>alds eval</c>).</summary>
    internal int Threads => _options.IntraOpNumThreads;

    /// <summary>The layer kept whole, in nanoseconds.</summary>
    internal long Whole(LayerSpec layer) => Memo(layer, "whole", () => Time(LayerGraph(layer)));

    /// <summary>The layer factorised as (scheme, groups, rank), in nanoseconds.</summary>
    internal long Factored(LayerSpec layer, int scheme, int groups, int rank) =>
        Memo(layer, $"{scheme},{groups},{rank}", () => MeasureFactored(layer, scheme, groups, rank));

    private long MeasureFactored(LayerSpec layer, int scheme, int groups, int rank)
    {
        int enc = FoldScheme.EncoderTaps(scheme, layer.Kh, layer.Kw), dec = FoldScheme.DecoderTaps(scheme, layer.Kh, layer.Kw);
        var factors = new FactorizedLayer(layer, scheme, groups, rank,
            Random(checked((long)rank * layer.In * enc)), Random(checked((long)layer.Out * groups * rank * dec)));
        return Time(OnnxRewriter.Rewrite(LayerGraph(layer), [factors]));
    }

    /// <summary>
    /// The whole original model on zeros at its input shape, timed as <c>alds eval</c> times it: two sessions of it
    /// (eval holds the original's and the compressed model's), 3 warm-up runs each, then <paramref name="runs"/> runs
    /// alternating between them (and which goes first); the fastest and the median of all of them.
    /// </summary>
    internal ModelTiming Model(InputShapes shapes, int runs)
    {
        var inputs = LayerShapes.Inputs(_source, shapes);
        try
        {
            using var a = BatchedModel.Open(_source.Path, _options, shapes.Batch);
            using var b = BatchedModel.Open(_source.Path, _options, shapes.Batch);
            string[] names = [.. inputs.Select(i => i.Name)];
            OrtValue[] values = [.. inputs.Select(i => i.Value)];
            using var runOptions = new RunOptions();
            var (first, second) = AlternatedTiming.Run(() => a.Run(runOptions, names, values, a.OutputNames.ToArray()).Dispose(),
                () => b.Run(runOptions, names, values, b.OutputNames.ToArray()).Dispose(), warmup: 3, runs);
            var ms = first.Concat(second).Order().ToArray();
            return new ModelTiming((long)Math.Round(ms[0] * 1e6), (long)Math.Round(LatencyStats.Percentile(ms, 0.5) * 1e6), ms.Length);
        }
        finally
        {
            foreach (var (_, v) in inputs) v.Dispose();
        }
    }

    /// <summary>The measurement of <paramref name="what"/> for every layer that has this layer's node, attributes and shapes.</summary>
    private long Memo(LayerSpec layer, string what, Func<long> measure)
    {
        var binding = _source.Bindings.First(b => b.Layer.Name == layer.Name);
        var node = binding.Node.Clone();
        node.Name = "";
        node.Input.Clear();
        node.Output.Clear();
        var g = _geometry[layer.Name];
        string key = $"{Convert.ToBase64String(node.ToByteArray())}|{layer.Out}x{layer.In}x{layer.Kh}x{layer.Kw}|{layer.Layout}|{layer.BiasTensor is null}|"
            + $"{binding.BiasAdd is null}|{string.Join("x", g.InputShape)}|{string.Join("x", g.OutputShape)}|{what}";
        if (!_memo.TryGetValue(key, out long ns)) _memo[key] = ns = measure();
        return ns;
    }

    /// <summary>A graph holding only the layer's node (and its bias Add), reading its input at the recorded shape.</summary>
    private ModelProto LayerGraph(LayerSpec layer)
    {
        var binding = _source.Bindings.FirstOrDefault(b => b.Layer.Name == layer.Name)
            ?? throw new ArgumentException($"layer '{layer.Name}' is not in {_source.Path}", nameof(layer));
        var g = _geometry[layer.Name];
        var graph = new GraphProto { Name = "alds_latency_probe" };
        var nodes = binding.BiasAdd is null ? new[] { binding.Node } : [binding.Node, binding.BiasAdd];
        string input = binding.Node.Input[0];
        graph.Input.Add(FloatValue(input, g.InputShape));
        var seen = new HashSet<string>(StringComparer.Ordinal) { input };
        foreach (var node in nodes)
        {
            graph.Node.Add(node.Clone());
            foreach (var name in node.Input)
            {
                if (name.Length == 0 || !seen.Add(name) || nodes.Any(n => n.Output.Contains(name))) continue;
                if (!_tensors.TryGetValue(name, out var t) || t.DType != DType.F32)
                    throw new ModelFormatException($"{_source.Path}: layer '{layer.Name}': input '{name}' of node '{node.Name}' is not a float32 initializer; latency is measured for float32 layers");
                var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
                tensor.Dims.AddRange(t.Shape);
                tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(RandomFloats(t.ElementCount).AsSpan()));
                graph.Initializer.Add(tensor);
            }
        }
        graph.Output.Add(FloatValue(nodes[^1].Output[0], null));
        var model = new ModelProto { IrVersion = _source.IrVersion, ProducerName = "alds-latency", Graph = graph };
        foreach (var o in _source.Model.OpsetImport) model.OpsetImport.Add(o.Clone());
        return model;
    }

    private long Time(ModelProto model)
    {
        var input = model.Graph.Input[0];
        var shape = input.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, d) => a * d)], shape);
        using var session = new InferenceSession(model.ToByteArray(), _options);
        return Fastest(session, [input.Name], [value], Runs);
    }

    private long Fastest(InferenceSession session, string[] names, OrtValue[] values, int runs)
    {
        var outputs = session.OutputNames.ToArray();
        using var runOptions = new RunOptions();
        for (int i = 0; i < Warmup; i++) session.Run(runOptions, names, values, outputs).Dispose();
        var ticks = new long[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.Run(runOptions, names, values, outputs).Dispose();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        return (long)Math.Round(ticks.Min() * 1e9 / Stopwatch.Frequency);
    }

    private static ValueInfoProto FloatValue(string name, long[]? shape)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (shape is not null)
        {
            type.Shape = new TensorShapeProto();
            foreach (var d in shape) type.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }

    private double[] Random(long count)
    {
        var values = new double[count];
        for (long i = 0; i < count; i++) values[i] = (_random.NextDouble() - 0.5) * 0.1;
        return values;
    }

    private float[] RandomFloats(long count)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)((_random.NextDouble() - 0.5) * 0.1);
        return values;
    }

    /// <summary>Releases the ONNX Runtime session options.</summary>
    public void Dispose() => _options.Dispose();
}
