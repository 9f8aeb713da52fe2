using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Evaluation;

/// <summary>What <c>alds eval</c> feeds a model, told from its inputs.</summary>
public enum ModelKind
{
    /// <summary>One float image tensor <c>[N, 3, H, W]</c>.</summary>
    Image,

    /// <summary>Integer token inputs: <c>input_ids</c>, and optionally <c>attention_mask</c> and <c>token_type_ids</c>.</summary>
    Text,
}

/// <summary>Detects a model's <see cref="ModelKind"/> from its signature.</summary>
public static class ModelKinds
{
    /// <summary>Opens the model (no graph optimisation: only its signature is read) and detects its kind.</summary>
    /// <exception cref="ModelFormatException">The file cannot be loaded, or its kind is neither (one line).</exception>
    public static ModelKind DetectFile(string path)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = EvalSession.OpenRaw(path, options);
        return Detect(ModelSignature.Of(session), path);
    }

    /// <exception cref="ModelFormatException">The inputs are neither one image tensor nor token inputs (one line naming them).</exception>
    internal static ModelKind Detect(ModelSignature signature, string path)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var inputs = signature.Inputs;
        if (inputs.Count == 1 && inputs[0].IsTensor && inputs[0].ElementType == TensorElementType.Float && inputs[0].Dimensions.Length == 4)
            return ModelKind.Image;
        if (inputs.Count > 0 && inputs.All(i => i.IsTensor && i.ElementType is TensorElementType.Int64 or TensorElementType.Int32)
            && TextInputs.TryFind(signature, out _, out _))
            return ModelKind.Text;
        throw new ModelFormatException(
            $"{path}: eval takes image models (one float [N, 3, H, W] input) or text models (integer input_ids, attention_mask, token_type_ids); " +
            $"this model's inputs are {string.Join(", ", inputs.Select(i => $"'{i.Name}' {i.Describe()}"))}");
    }
}
