using Alds.Engine.Evaluation;
using Alds.Engine.Models;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Alds.Engine.Costs;

/// <summary>
/// The activation shapes of every compressible layer at the model's input shape, recorded by one ONNX Runtime run:
/// each layer node's input and output are added as graph outputs and the graph runs once on zeros (so every
/// operator ONNX Runtime runs is covered, with its own shape rules; nothing is inferred by hand).
/// </summary>
public static class LayerShapes
{
    /// <exception cref="ModelFormatException">An input's shape is open and not given, an input type is not numeric, or ONNX Runtime cannot run the graph.</exception>
    public static IReadOnlyList<LayerGeometry> Capture(OnnxModelSource source, InputShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shapes);
        var model = Evaluation.BatchedModel.Rebatch(source.Model.Clone(), shapes.Batch, source.Path);
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        foreach (var name in shapes.Names)
            if (!inputs.Any(i => i.Name == name))
                throw new ModelFormatException($"{source.Path}: --input-shape names '{name}', the model's inputs are {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}");

        var wanted = new List<string>();
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var b in source.Bindings)
        {
            var weightType = graph.Initializer.First(t => t.Name == b.Layer.WeightTensor).DataType;
            foreach (var name in new[] { b.Node.Input[0], b.Node.Output[0] })
            {
                wanted.Add(name);
                if (outputs.Add(name))
                    graph.Output.Add(new ValueInfoProto
                    {
                        Name = name,
                        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = weightType } },
                    });
            }
        }

        var values = new List<OrtValue>();
        try
        {
            foreach (var input in inputs)
            {
                var dims = input.Type?.TensorType?.Shape?.Dim.Select(d => d.DimValue > 0 ? d.DimValue : (long?)null).ToArray() ?? [];
                var shape = shapes.Resolve(input.Name, dims, inputs.Length == 1, source.Path);
                values.Add(Zeros((TensorProto.Types.DataType)(input.Type?.TensorType?.ElemType ?? 0), shape, input.Name, source.Path));
            }
            using var options = EvalSession.CreateOptions();
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL; // shapes only: no need to optimise
            InferenceSession session;
            try { session = new InferenceSession(model.ToByteArray(), options); }
            catch (OnnxRuntimeException e) { throw new ModelFormatException($"{source.Path}: ONNX Runtime cannot load the graph to record shapes ({FirstLine(e.Message)})", e); }
            using (session)
            {
                var names = wanted.Distinct(StringComparer.Ordinal).ToArray();
                IDisposableReadOnlyCollection<OrtValue> results;
                using var runOptions = new RunOptions();
                try { results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, names); }
                catch (OnnxRuntimeException e) { throw new ModelFormatException($"{source.Path}: ONNX Runtime cannot run the graph to record shapes ({FirstLine(e.Message)})", e); }
                using (results)
                {
                    var byName = new Dictionary<string, long[]>(StringComparer.Ordinal);
                    for (int i = 0; i < names.Length; i++) byName[names[i]] = results.ElementAt(i).GetTensorTypeAndShape().Shape;
                    return [.. source.Bindings.Select(b => new LayerGeometry(b.Layer, byName[b.Node.Input[0]], byName[b.Node.Output[0]]))];
                }
            }
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>Zeros for every graph input (not initializer) of <paramref name="source"/> at its resolved shape; the caller disposes them.</summary>
    internal static List<(string Name, OrtValue Value)> Inputs(OnnxModelSource source, InputShapes shapes)
    {
        var graph = source.Model.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        var values = new List<(string, OrtValue)>();
        try
        {
            foreach (var input in inputs)
            {
                var dims = input.Type?.TensorType?.Shape?.Dim.Select(d => d.DimValue > 0 ? d.DimValue : (long?)null).ToArray() ?? [];
                var shape = shapes.Resolve(input.Name, dims, inputs.Length == 1, source.Path);
                values.Add((input.Name, Zeros((TensorProto.Types.DataType)(input.Type?.TensorType?.ElemType ?? 0), shape, input.Name, source.Path)));
            }
            return values;
        }
        catch
        {
            foreach (var (_, v) in values) v.Dispose();
            throw;
        }
    }

    private static OrtValue Zeros(TensorProto.Types.DataType type, long[] shape, string name, string model)
    {
        long count = shape.Aggregate(1L, (a, d) => checked(a * d));
        if (count > int.MaxValue) throw new ModelFormatException($"{model}: input '{name}' [{string.Join(",", shape)}] is too large to run");
        return type switch
        {
            TensorProto.Types.DataType.Float => OrtValue.CreateTensorValueFromMemory(new float[count], shape),
            TensorProto.Types.DataType.Double => OrtValue.CreateTensorValueFromMemory(new double[count], shape),
            TensorProto.Types.DataType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
            TensorProto.Types.DataType.Int32 => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
            TensorProto.Types.DataType.Bool => OrtValue.CreateTensorValueFromMemory(new bool[count], shape),
            _ => throw new ModelFormatException($"{model}: input '{name}' has element type {type}; shapes are recorded for float, double, int64, int32 and bool inputs"),
        };
    }

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}
