using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Evaluation;

/// <summary>
/// An ONNX Runtime CPU session over a text model (<see cref="TextInputs"/>) with float outputs, run on batches of
/// tokenised texts padded to the longest one (mask 0, token type 0 on padding).
/// </summary>
internal sealed class TextSession : IDisposable
{
    private readonly InferenceSession _session;

    private TextSession(string path, InferenceSession session, ModelSignature signature, TextInputs inputs)
    {
        Path = path;
        _session = session;
        Signature = signature;
        Inputs = inputs;
    }

    public string Path { get; }
    public ModelSignature Signature { get; }
    public TextInputs Inputs { get; }

    /// <exception cref="ModelFormatException">The model cannot be loaded, its inputs are not token inputs, or an output is not float.</exception>
    public static TextSession Open(string path, SessionOptions options)
    {
        var session = EvalSession.OpenRaw(path, options);
        try
        {
            var signature = ModelSignature.Of(session);
            var inputs = TextInputs.Find(signature, path);
            foreach (var output in signature.Outputs)
                if (output.ElementType != TensorElementType.Float)
                    throw new ModelFormatException($"{path}: output '{output.Name}' is {output.Describe()}, eval compares float outputs only");
            return new TextSession(path, session, signature, inputs);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The inputs for a batch of token-id sequences, padded with <paramref name="padId"/>; dispose them after use.</summary>
    public List<NamedOnnxValue> Feed(IReadOnlyList<long[]> batch, long padId) => Feed(Inputs, TokenBatch.Pad(batch, padId));

    /// <summary>The named inputs of a padded batch for a model with <paramref name="inputs"/> (token type 0 everywhere).</summary>
    public static List<NamedOnnxValue> Feed(TextInputs inputs, TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.Rows, cols = batch.Columns;
        var feed = new List<NamedOnnxValue> { Value(inputs.Ids, batch.Ids, rows, cols) };
        if (inputs.Mask is { } m) feed.Add(Value(m, batch.Mask, rows, cols));
        if (inputs.TokenTypes is { } t) feed.Add(Value(t, new long[rows * cols], rows, cols));
        return feed;
    }

    private static NamedOnnxValue Value(TensorSignature input, long[] values, int rows, int cols) =>
        input.ElementType == TensorElementType.Int64
            ? NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<long>(values, [rows, cols]))
            : NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<int>(values.Select(v => (int)v).ToArray(), [rows, cols]));

    /// <summary>Runs one prepared batch; returns every output's data and shape in the model's order.</summary>
    public ModelOutputs Run(IReadOnlyCollection<NamedOnnxValue> feed)
    {
        using var results = _session.Run(feed);
        var values = new float[results.Count][];
        var shapes = new long[results.Count][];
        int i = 0;
        foreach (var r in results)
        {
            var tensor = r.AsTensor<float>();
            values[i] = tensor.ToArray();
            shapes[i] = tensor.Dimensions.ToArray().Select(d => (long)d).ToArray();
            i++;
        }
        return new ModelOutputs(values, shapes);
    }

    /// <summary>Runs one prepared batch and discards the outputs (for timing).</summary>
    public void RunDiscard(IReadOnlyCollection<NamedOnnxValue> feed)
    {
        using var results = _session.Run(feed);
    }

    public void Dispose() => _session.Dispose();
}
