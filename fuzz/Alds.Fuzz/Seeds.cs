using Alds.Engine.Analysis;
using Alds.Engine.Caching;
using Alds.Engine.IO;
using Alds.Engine.Tensors;
using Google.Protobuf;
using Onnx;

namespace Alds.Fuzz;

/// <summary>Writes the small, valid seed inputs of fuzz/corpus (regenerate with <c>Alds.Fuzz seed DIR</c>).</summary>
internal static class Seeds
{
    public static void Write(string root)
    {
        WriteSafetensors(Directory.CreateDirectory(Path.Combine(root, "safetensors")).FullName);
        WriteOnnx(Directory.CreateDirectory(Path.Combine(root, "onnx")).FullName);
        WriteCache(Directory.CreateDirectory(Path.Combine(root, "cache")).FullName);
    }

    private static void WriteSafetensors(string dir)
    {
        void Save(string name, SafetensorsWriter writer)
        {
            using var stream = File.Create(Path.Combine(dir, name));
            writer.WriteTo(stream);
        }
        byte[] Bytes(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 37 + 11)).ToArray();

        Save("empty.safetensors", new SafetensorsWriter());

        var f32 = new SafetensorsWriter(new Dictionary<string, string> { ["format"] = "pt" });
        f32.AddFloat32("conv.weight", DType.F32, [4, 3, 1, 1], Enumerable.Range(0, 12).Select(i => i * 0.25f - 1).ToArray());
        f32.AddFloat32("conv.bias", DType.F32, [4], new float[] { 1, -2, 3, -4 });
        Save("f32_conv.safetensors", f32);

        var halves = new SafetensorsWriter();
        halves.AddFloat64("h", DType.F16, [2, 3], new double[] { 0, 1, -2, 0.5, 65504, -0.0 });
        halves.AddFloat64("b", DType.BF16, [3, 2], new double[] { 1, 2, 3, -1, -2, 1e30 });
        halves.AddFloat64("d", DType.F64, [2, 2], new double[] { Math.PI, -Math.E, 1e-300, 0 });
        Save("f16_bf16_f64.safetensors", halves);

        var ints = new SafetensorsWriter();
        ints.Add("i64", DType.I64, [3], Bytes(24));
        ints.Add("u8", DType.U8, [2, 2], Bytes(4));
        ints.Add("mask", DType.BOOL, [4], new byte[] { 0, 1, 1, 0 });
        ints.Add("i16", DType.I16, [1, 2], Bytes(4));
        Save("ints_bool.safetensors", ints);

        var edges = new SafetensorsWriter(new Dictionary<string, string> { ["note"] = "edge cases", ["\u00e9"] = "\u2603" });
        edges.Add("scalar", DType.F32, [], Bytes(4));
        edges.Add("empty", DType.F32, [0, 5], ReadOnlyMemory<byte>.Empty);
        edges.Add("f8", DType.F8_E4M3, [3], Bytes(3));
        edges.Add("f4", DType.F4, [4], Bytes(2));
        Save("edge_cases.safetensors", edges);
    }

    private static void WriteOnnx(string dir)
    {
        void Save(string name, GraphProto graph)
        {
            var model = new ModelProto { IrVersion = 8, ProducerName = "alds-fuzz", Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
            File.WriteAllBytes(Path.Combine(dir, name), model.ToByteArray());
        }

        var conv = new GraphProto { Name = "conv" };
        conv.Initializer.Add(FloatTensor("W", [4, 2, 3, 3], raw: false));
        conv.Initializer.Add(FloatTensor("B", [4], raw: true));
        conv.Node.Add(Node("Conv", ["x", "W", "B"], ["y"], ("group", 1)));
        Save("conv.onnx", conv);

        var gemm = new GraphProto { Name = "gemm" };
        gemm.Initializer.Add(FloatTensor("W", [5, 3], raw: true));
        gemm.Initializer.Add(FloatTensor("C", [5], raw: false));
        gemm.Node.Add(Node("Gemm", ["x", "W", "C"], ["y"], ("transB", 1)));
        Save("gemm.onnx", gemm);

        var matmul = new GraphProto { Name = "matmul_add" };
        matmul.Initializer.Add(FloatTensor("W", [3, 4], raw: true));
        matmul.Initializer.Add(FloatTensor("b", [4], raw: true));
        var half = new TensorProto { Name = "h", DataType = (int)TensorProto.Types.DataType.Float16, RawData = ByteString.CopyFrom(new byte[] { 0, 60, 0, 64 }) };
        half.Dims.Add(2);
        matmul.Initializer.Add(half);
        matmul.Node.Add(Node("MatMul", ["x", "W"], ["t"]));
        matmul.Node.Add(Node("Add", ["t", "b"], ["y"]));
        Save("matmul_add.onnx", matmul);

        // External data pointing at the model file itself: the fuzz target always writes its input to model.onnx.
        var external = new GraphProto { Name = "external" };
        var weight = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        weight.Dims.AddRange([2, 2]);
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "model.onnx" });
        weight.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        weight.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "16" });
        external.Initializer.Add(weight);
        external.Node.Add(Node("MatMul", ["x", "W"], ["y"]));
        Save("external.onnx", external);
    }

    private static void WriteCache(string dir)
    {
        var key = new UInt128(0x0123456789abcdef, 0xfedcba9876543210);
        File.WriteAllBytes(Path.Combine(dir, "empty.bin"), CacheEntryFormat.Encode(key, []));
        File.WriteAllBytes(Path.Combine(dir, "one.bin"), CacheEntryFormat.Encode(key,
            [new SchemeOption(0, 1, 2.5, [1.0, 0.5, 0], [1.0, 0.25, 0])]));
        File.WriteAllBytes(Path.Combine(dir, "three.bin"), CacheEntryFormat.Encode(key,
        [
            new SchemeOption(0, 1, 1, [0.5], [0.5]),
            new SchemeOption(2, 4, 3, [0.9, 0.1], [0.8, 0.05]),
            new SchemeOption(3, 2, 0, [], []),
        ]));
    }

    private static TensorProto FloatTensor(string name, long[] dims, bool raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var values = Enumerable.Range(0, (int)dims.Aggregate(1L, (a, d) => a * d)).Select(i => (float)Math.Sin(i)).ToArray();
        if (raw)
        {
            var bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            t.FloatData.AddRange(values);
        }
        return t;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params (string Name, long Value)[] ints)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, value) in ints)
            node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return node;
    }
}
