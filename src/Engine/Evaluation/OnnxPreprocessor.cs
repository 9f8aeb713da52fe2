using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Evaluation;

/// <summary>
/// Runs a companion preprocessing model in ONNX Runtime, fed planar RGB floats in [0, 255], [1, 3, H, W].
/// The ML.NET ResNet18 ships with <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c> (input <c>OriginalInput</c>,
/// output <c>PreprocessedInput</c>): it splits R, G, B, concatenates them as B, G, R and subtracts a
/// per-pixel 1×3×224×224 mean image; running it, rather than copying it, keeps us exact by construction.
/// </summary>
internal sealed class OnnxPreprocessor : IInputPreprocessor
{
    /// <summary>The input name of the ML.NET ResNet18 that the companion belongs to.</summary>
    public const string ResNet18InputName = "Input247";

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly long[] _shape;

    private OnnxPreprocessor(string path, InferenceSession session, string inputName, long[] shape)
    {
        Path = path;
        _session = session;
        _inputName = inputName;
        _shape = shape;
    }

    public string Path { get; }

    public string Description => $"companion model {System.IO.Path.GetFileName(Path)} (RGB in [0, 255] -> BGR minus mean image)";

    /// <summary>Opens a preprocessing model whose one float input and one float output are both [1, 3, height, width].</summary>
    /// <exception cref="ModelFormatException">It cannot be loaded or its shapes do not fit.</exception>
    public static OnnxPreprocessor Open(string path, SessionOptions options, int height, int width)
    {
        var session = EvalSession.OpenRaw(path, options);
        try
        {
            var signature = ModelSignature.Of(session);
            int[] expected = [1, 3, height, width];
            if (signature.Inputs.Count != 1 || signature.Outputs.Count != 1)
                throw new ModelFormatException($"{path}: a preprocessing model needs one input and one output");
            foreach (var t in new[] { signature.Inputs[0], signature.Outputs[0] })
                if (t.ElementType != TensorElementType.Float || !t.Dimensions.AsSpan().SequenceEqual(expected))
                    throw new ModelFormatException(
                        $"{path}: '{t.Name}' is {t.Describe()}, the model to evaluate needs float [1, 3, {height}, {width}]");
            return new OnnxPreprocessor(path, session, signature.Inputs[0].Name, [1, 3, height, width]);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The companion of <paramref name="modelPath"/>, or null: <c>../ResNetPrepOnnx/ResNetPreprocess.onnx</c> next to a
    /// model in a <c>ResNet18Onnx</c> folder, else, for a model whose input is <see cref="ResNet18InputName"/> [1, 3, 224, 224],
    /// the copy shipped beside this program (<c>DnnImageModels/ResNetPrepOnnx</c>).
    /// </summary>
    public static string? FindCompanion(string modelPath, TensorSignature input)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelPath));
        if (directory is not null && System.IO.Path.GetFileName(directory) == "ResNet18Onnx")
        {
            var sibling = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(directory)!, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
            if (File.Exists(sibling)) return sibling;
        }
        if (input.Name == ResNet18InputName && input.Dimensions.AsSpan().SequenceEqual([1, 3, 224, 224]))
        {
            var shipped = System.IO.Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");
            if (File.Exists(shipped)) return shipped;
        }
        return null;
    }

    public float[] Apply(float[] rgb, int height, int width)
    {
        if (height != _shape[2] || width != _shape[3] || rgb.Length != 3 * height * width)
            throw new ArgumentException($"expected [3, {_shape[2]}, {_shape[3]}] values", nameof(rgb));
        using var input = OrtValue.CreateTensorValueFromMemory(rgb, _shape);
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [_inputName], [input], _session.OutputNames);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
