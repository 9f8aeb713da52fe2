using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.Models;

/// <summary>Builds small ONNX models in code for tests.</summary>
internal sealed class OnnxModelBuilder
{
    public ModelProto Model { get; } = new()
    {
        IrVersion = 8,
        Graph = new GraphProto { Name = "test" },
        OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 13 } },
    };

    public GraphProto Graph => Model.Graph;

    /// <summary>A FLOAT initializer in raw_data (default) or float_data.</summary>
    public OnnxModelBuilder Float(string name, long[] dims, float[] values, bool raw = true)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, Dims = { dims } };
        if (raw)
        {
            var bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            t.FloatData.Add(values);
        }
        Graph.Initializer.Add(t);
        return this;
    }

    /// <summary>A FLOAT initializer of the given shape filled with 0, 1, 2, ...</summary>
    public OnnxModelBuilder Ramp(string name, params long[] dims)
    {
        long n = dims.Aggregate(1L, (a, d) => a * d);
        return Float(name, dims, Enumerable.Range(0, (int)n).Select(i => (float)i).ToArray());
    }

    public OnnxModelBuilder Tensor(TensorProto tensor)
    {
        Graph.Initializer.Add(tensor);
        return this;
    }

    public OnnxModelBuilder Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        Graph.Node.Add(new NodeProto
        {
            OpType = op,
            Name = $"{op}_{Graph.Node.Count}",
            Input = { inputs },
            Output = { outputs },
            Attribute = { attributes },
        });
        return this;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public string Write(string directory, string fileName = "model.onnx")
    {
        string path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, Model.ToByteArray());
        return path;
    }
}

/// <summary>A temporary directory deleted at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("alds-onnx-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
