using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Evaluation;

/// <summary>
/// An ONNX Runtime CPU session over a model with one float image input [N, 3, H, W] and float outputs.
/// Every session uses the same options: intra-op threads = processor count, sequential execution, all graph optimisations.
/// </summary>
internal sealed class EvalSession : IDisposable
{
    /// <summary>Input side used when the model leaves height or width symbolic.</summary>
    public const int DefaultImageSize = 224;

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;

    private EvalSession(string path, InferenceSession session, ModelSignature signature, int batch)
    {
        Path = path;
        Batch = batch;
        _session = session;
        Signature = signature;
        var input = signature.Inputs[0];
        _inputNames = [input.Name];
        InputHeight = input.Dimensions[2] > 0 ? input.Dimensions[2] : DefaultImageSize;
        InputWidth = input.Dimensions[3] > 0 ? input.Dimensions[3] : DefaultImageSize;
        OutputNames = signature.Outputs.Select(o => o.Name).ToArray();
    }

    public string Path { get; }
    public ModelSignature Signature { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Inputs per run (<see cref="BatchedModel"/>).</summary>
    public int Batch { get; }

    /// <summary>The shape fed to the model: [Batch, 3, InputHeight, InputWidth].</summary>
    public long[] InputShape => [Batch, 3, InputHeight, InputWidth];

    /// <summary>The options shared by every evaluation session.</summary>
    public static SessionOptions CreateOptions() => new()
    {
        IntraOpNumThreads = Environment.ProcessorCount,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };

    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Session options (<see cref="CreateOptions"/>).</param>
    /// <param name="batch">Inputs per run: the model runs at this batch (<see cref="BatchedModel"/>).</param>
    /// <exception cref="ModelFormatException">The file is missing, is not a loadable ONNX model, has no single float [N,3,H,W] input, or cannot run at <paramref name="batch"/>.</exception>
    public static EvalSession Open(string path, SessionOptions options, int batch = 1)
    {
        var session = BatchedModel.Open(path, options, batch);
        try
        {
            var signature = ModelSignature.Of(session);
            if (signature.Inputs.Count != 1)
                throw new ModelFormatException($"{path}: eval needs exactly one image input, the model has {signature.Inputs.Count}");
            var input = signature.Inputs[0];
            if (input.ElementType != TensorElementType.Float || input.Dimensions.Length != 4 || input.Dimensions[1] != 3
                || (input.Dimensions[0] > 1 && input.Dimensions[0] != batch))
                throw new ModelFormatException(
                    $"{path}: input '{input.Name}' is {input.Describe()}, eval needs a float image tensor [1, 3, H, W]");
            foreach (var output in signature.Outputs)
                if (output.ElementType != TensorElementType.Float)
                    throw new ModelFormatException($"{path}: output '{output.Name}' is {output.Describe()}, eval compares float outputs only");
            return new EvalSession(path, session, signature, batch);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Opens any ONNX file, turning ONNX Runtime's load errors into a one-line <see cref="ModelFormatException"/>.</summary>
    internal static InferenceSession OpenRaw(string path, SessionOptions options)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found");
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException($"{path}: not a loadable ONNX model ({FirstLine(e.Message)})", e);
        }
    }

    /// <summary>Runs the model on one batch of inputs, <see cref="InputShape"/> row-major; returns every output's data and shape.</summary>
    public ModelOutputs Run(float[] input)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, InputShape);
        return Run(value);
    }

    /// <summary>Runs the model on an input value prepared once (see <see cref="Run(float[])"/>).</summary>
    public ModelOutputs Run(OrtValue input)
    {
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, _inputNames, [input], (IReadOnlyCollection<string>)OutputNames);
        var values = new float[results.Count][];
        var shapes = new long[results.Count][];
        for (int i = 0; i < results.Count; i++)
        {
            values[i] = results[i].GetTensorDataAsSpan<float>().ToArray();
            shapes[i] = results[i].GetTensorTypeAndShape().Shape;
        }
        return new ModelOutputs(values, shapes);
    }

    /// <summary>Runs the model and discards the outputs (for timing).</summary>
    public void RunDiscard(OrtValue input)
    {
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, _inputNames, [input], (IReadOnlyCollection<string>)OutputNames);
    }

    public void Dispose() => _session.Dispose();

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}

/// <summary>The outputs of one run, in the model's output order.</summary>
internal sealed record ModelOutputs(float[][] Values, long[][] Shapes);
