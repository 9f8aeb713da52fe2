using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Alds.Engine.Tests.Export;

/// <summary>Builds small ONNX models in code and runs them in ONNX Runtime.</summary>
internal static class OnnxTestKit
{
    public static ModelProto NewModel(long irVersion = 7, long opset = 13)
    {
        var m = new ModelProto { IrVersion = irVersion, ProducerName = "alds-tests", Graph = new GraphProto { Name = "g" } };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return m;
    }

    /// <summary>A float tensor value; <paramref name="dims"/> null leaves the shape (and rank) unknown.</summary>
    public static ValueInfoProto Value(string name, params long[]? dims)
    {
        var t = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (dims is not null)
        {
            t.Shape = new TensorShapeProto();
            foreach (var d in dims) t.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = t } };
    }

    /// <summary>A float32 initializer stored in <c>float_data</c> (the rewriter writes <c>raw_data</c>).</summary>
    public static TensorProto Initializer(string name, long[] dims, double[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        foreach (var v in values) t.FloatData.Add((float)v);
        return t;
    }

    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static double[] Random(Random rng, int count, double scale = 1.0)
    {
        var a = new double[count];
        for (int i = 0; i < count; i++) a[i] = scale * (2 * rng.NextDouble() - 1);
        return a;
    }

    /// <summary>Replaces the values of a float initializer (for reference models with Ŵ).</summary>
    public static ModelProto WithWeight(ModelProto model, string name, double[] values)
    {
        var copy = model.Clone();
        var t = copy.Graph.Initializer.Single(i => i.Name == name);
        t.FloatData.Clear();
        t.RawData = ByteString.Empty;
        foreach (var v in values) t.FloatData.Add((float)v);
        return copy;
    }

    /// <summary>Runs the model on one float input and returns its first output.</summary>
    public static float[] Run(ModelProto model, string inputName, float[] input, long[] shape,
        GraphOptimizationLevel level = GraphOptimizationLevel.ORT_DISABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [inputName], [value], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static float[] RandomInput(Random rng, long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return [.. Random(rng, (int)count).Select(v => (float)v)];
    }

    /// <summary>Asserts <c>max|actual − expected| ≤ tolerance · max|expected|</c> (float32 outputs).</summary>
    public static void AssertClose(float[] actual, float[] expected, double tolerance = 1e-4)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]));
        }
        Assert.That(scale, Is.GreaterThan(0), "reference output is all zeros");
        TestContext.Out.WriteLine($"max |diff| / max |expected| = {worst / scale:E2}");
        Assert.That(worst / scale, Is.LessThanOrEqualTo(tolerance), $"max abs diff {worst:E3} at output scale {scale:E3}");
    }
}
