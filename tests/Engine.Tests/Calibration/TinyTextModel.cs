using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.Calibration;

/// <summary>
/// A BERT-shaped toy text model written with OnnxSharp, whose layer inputs have closed forms: <c>input_ids</c> and
/// <c>attention_mask</c> int64 [batch, sequence] → x = E[ids] (Gather from the embedding table, not compressible) →
/// MatMul W1 [d, h] → (with W2: Relu → MatMul W2 [h, d]) → times the mask → <c>last_hidden_state</c> [batch, sequence, ·].
/// Padding positions read the [PAD] row of E, so a moment that counted them would differ. Beside it: a WordPiece
/// <c>vocab.txt</c> of the four special tokens and <see cref="Words"/>.
/// </summary>
internal static class TinyTextModel
{
    public static readonly string[] Words =
        ["apple", "river", "stone", "cloud", "green", "music", "paper", "light", "tiger", "window", "silver", "garden"];

    public static string[] Vocabulary => ["[PAD]", "[UNK]", "[CLS]", "[SEP]", .. Words];

    /// <summary>Writes <paramref name="path"/> and <c>vocab.txt</c> beside it (unless <paramref name="withVocab"/> is false).</summary>
    /// <param name="embedding">E, [vocabulary, d] row-major.</param>
    /// <param name="w1">[d, h] row-major, as MatMul reads it.</param>
    /// <param name="w2">[h, d] row-major, or null for a one-layer model.</param>
    public static void Write(string path, float[] embedding, int d, float[] w1, int h, float[]? w2, bool withVocab = true)
    {
        int vocab = Vocabulary.Length;
        if (embedding.Length != vocab * d || w1.Length != d * h || (w2 is not null && w2.Length != h * d))
            throw new ArgumentException("shapes do not match");
        var graph = new GraphProto { Name = "tiny-text" };
        graph.Input.Add(Value("input_ids", TensorProto.Types.DataType.Int64, "batch", "sequence"));
        graph.Input.Add(Value("attention_mask", TensorProto.Types.DataType.Int64, "batch", "sequence"));
        graph.Output.Add(Value("last_hidden_state", TensorProto.Types.DataType.Float, "batch", "sequence", w2 is null ? h : d));
        graph.Initializer.Add(Floats("word_embeddings", embedding, vocab, d));
        graph.Initializer.Add(Floats("W1", w1, d, h));
        var axes = new TensorProto { Name = "axes", DataType = (int)TensorProto.Types.DataType.Int64 };
        axes.Dims.Add(1);
        axes.Int64Data.Add(2);
        graph.Initializer.Add(axes);
        graph.Node.Add(Node("Gather", ["word_embeddings", "input_ids"], ["x"]));
        graph.Node.Add(Node("MatMul", ["x", "W1"], ["a"]));
        string last = "a";
        if (w2 is not null)
        {
            graph.Initializer.Add(Floats("W2", w2, h, d));
            graph.Node.Add(Node("Relu", ["a"], ["r"]));
            graph.Node.Add(Node("MatMul", ["r", "W2"], ["y"]));
            last = "y";
        }
        var cast = Node("Cast", ["attention_mask"], ["mask_float"]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        graph.Node.Add(cast);
        graph.Node.Add(Node("Unsqueeze", ["mask_float", "axes"], ["mask3"]));
        graph.Node.Add(Node("Mul", [last, "mask3"], ["last_hidden_state"]));

        var model = new ModelProto { IrVersion = 7, ProducerName = "alds-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
        if (withVocab) File.WriteAllLines(Path.Combine(Path.GetDirectoryName(path)!, "vocab.txt"), Vocabulary);
    }

    /// <summary>Seeded values uniform in [-1, 1).</summary>
    public static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(2 * rng.NextDouble() - 1)).ToArray();
    }

    private static TensorProto Floats(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
