using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Alds.Engine.Evaluation;

/// <summary>
/// An ONNX model run at batch N: every graph input's and output's first dimension set to N (it must be 1 or open: a
/// model exported at batch 1, such as the shipped ResNet18, fixes it to 1) and the intermediate shape annotations
/// dropped (they carry the exported batch; ONNX Runtime infers them again). Batch 1 is the model as it is.
/// A graph that fixes its batch inside (a Reshape to [1, …]) fails in ONNX Runtime, reported as one line.
/// </summary>
public static class BatchedModel
{
    /// <summary>The largest batch <c>--batch</c> accepts.</summary>
    public const int MaxBatch = 1024;

    /// <summary><paramref name="model"/> (changed in place and returned) with batch <paramref name="batch"/>.</summary>
    /// <exception cref="ModelFormatException">An input or output has no dimensions, or a first dimension other than 1 or open.</exception>
    public static ModelProto Rebatch(ModelProto model, long batch, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (batch == 1) return model;
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(graph.Output))
        {
            var dims = value.Type?.TensorType?.Shape?.Dim;
            if (dims is null || dims.Count == 0)
                throw new ModelFormatException($"{path}: '{value.Name}' has no batch dimension; cannot run at batch {batch}");
            var first = dims[0];
            if (first.HasDimValue && first.DimValue != 1)
                throw new ModelFormatException($"{path}: '{value.Name}' fixes its first dimension to {first.DimValue}; cannot run at batch {batch}");
            dims[0] = new TensorShapeProto.Types.Dimension { DimValue = batch };
        }
        graph.ValueInfo.Clear();
        return model;
    }

    /// <summary>A session over the model at <paramref name="path"/> run at batch <paramref name="batch"/> (batch 1: the file as it is).</summary>
    /// <exception cref="ModelFormatException">The file is missing or not loadable, or cannot run at this batch.</exception>
    public static InferenceSession Open(string path, SessionOptions options, long batch)
    {
        if (batch == 1) return EvalSession.OpenRaw(path, options);
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found");
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new ModelFormatException($"{path}: not a loadable ONNX model ({e.Message})", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ModelFormatException($"{path}: cannot read: {e.Message}", e); }
        if (model.Graph?.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External) == true)
            throw new ModelFormatException($"{path}: weights in external data files; batch {batch} needs a self-contained model");
        Rebatch(model, batch, path);
        try { return new InferenceSession(model.ToByteArray(), options); }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException($"{path}: ONNX Runtime cannot load the model at batch {batch} ({e.Message.Split('\n')[0].TrimEnd()})", e);
        }
    }
}
