using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>
/// Small ONNX models written with OnnxSharp, whose outputs have closed forms: x [1,3,S,S] → Conv 1×1 with weight
/// W [C,3,1,1] → GlobalAveragePool → Flatten, so y_c = Σ_k W[c,k] · mean(x_k) (class scores [1, C]).
/// </summary>
internal static class TinyOnnxModels
{
    public static void WriteClassifier(string path, float[,] weight, int size = 8, string inputName = "x", bool flatten = true)
    {
        int classes = weight.GetLength(0);
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value(inputName, 1, 3, size, size));
        graph.Output.Add(flatten ? Value("scores", 1, classes) : Value("scores", 1, classes, 1, 1));

        var w = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        w.Dims.AddRange([classes, 3, 1, 1]);
        for (int c = 0; c < classes; c++)
            for (int k = 0; k < 3; k++) w.FloatData.Add(weight[c, k]);
        graph.Initializer.Add(w);

        graph.Node.Add(Node("Conv", [inputName, "W"], ["conv"]));
        graph.Node.Add(Node("GlobalAveragePool", ["conv"], [flatten ? "pooled" : "scores"]));
        if (flatten) graph.Node.Add(Node("Flatten", ["pooled"], ["scores"]));

        var model = new ModelProto { IrVersion = 7, ProducerName = "alds-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    /// <summary>Copies an ONNX model with one float initializer multiplied by <paramref name="factor"/>.</summary>
    public static void WriteScaledCopy(string source, string destination, string initializer, float factor)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        var tensor = model.Graph.Initializer.Single(t => t.Name == initializer);
        if (tensor.FloatData.Count > 0)
        {
            for (int i = 0; i < tensor.FloatData.Count; i++) tensor.FloatData[i] *= factor;
        }
        else
        {
            var values = new float[tensor.RawData.Length / 4];
            Buffer.BlockCopy(tensor.RawData.ToByteArray(), 0, values, 0, tensor.RawData.Length);
            for (int i = 0; i < values.Length; i++) values[i] *= factor;
            var bytes = new byte[tensor.RawData.Length];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        using var output = File.Create(destination);
        model.WriteTo(output);
    }

    /// <summary>The weight input name of the model's first Conv node.</summary>
    public static string FirstConvWeight(string path)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return model.Graph.Node.First(n => n.OpType == "Conv").Input[1];
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
