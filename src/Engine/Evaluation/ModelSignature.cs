using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Evaluation;

/// <summary>One input or output of a model: name, element type and shape (-1 where symbolic).</summary>
internal sealed record TensorSignature(string Name, TensorElementType ElementType, int[] Dimensions, bool IsTensor = true)
{
    public string Describe() => !IsTensor ? "not a tensor" : $"{ElementType.ToString().ToLowerInvariant()} [{string.Join(", ", Dimensions.Select(d => d < 0 ? "?" : d.ToString()))}]";

    /// <summary>
    /// Same name, type and rank, and every dimension equal where both are known: ONNX Runtime reports a symbolic
    /// dimension as known when its own shape inference resolves it, which depends on the nodes before the output.
    /// </summary>
    public bool SameAs(TensorSignature other) =>
        Name == other.Name && IsTensor == other.IsTensor && ElementType == other.ElementType
        && Dimensions.Length == other.Dimensions.Length
        && Dimensions.Zip(other.Dimensions).All(p => p.First < 0 || p.Second < 0 || p.First == p.Second);
}

/// <summary>The inputs and outputs of a model, in declaration order.</summary>
internal sealed record ModelSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs)
{
    public static ModelSignature Of(InferenceSession session) =>
        new(Describe(session.InputNames, session.InputMetadata), Describe(session.OutputNames, session.OutputMetadata));

    /// <summary>The first difference from <paramref name="other"/> as a phrase, or null when names, types and shapes all agree.</summary>
    public string? DifferenceFrom(ModelSignature other) =>
        Difference("input", Inputs, other.Inputs) ?? Difference("output", Outputs, other.Outputs);

    private static string? Difference(string kind, IReadOnlyList<TensorSignature> mine, IReadOnlyList<TensorSignature> theirs)
    {
        if (mine.Count != theirs.Count) return $"{mine.Count} vs {theirs.Count} {kind}s";
        for (int i = 0; i < mine.Count; i++)
        {
            if (mine[i].Name != theirs[i].Name) return $"{kind} {i} is named '{mine[i].Name}' vs '{theirs[i].Name}'";
            if (!mine[i].SameAs(theirs[i])) return $"{kind} '{mine[i].Name}' is {mine[i].Describe()} vs {theirs[i].Describe()}";
        }
        return null;
    }

    private static TensorSignature[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        names.Select(n =>
        {
            var m = metadata[n];
            return m.IsTensor
                ? new TensorSignature(n, m.ElementDataType, m.Dimensions.ToArray())
                : new TensorSignature(n, TensorElementType.DataTypeMax, [], IsTensor: false);
        }).ToArray();
}
