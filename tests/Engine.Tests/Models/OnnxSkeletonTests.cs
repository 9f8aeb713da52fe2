using Alds.Engine.Models;
using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.Models;

/// <summary>The tensor-data splitter, against Google.Protobuf's parse of the same bytes as the oracle.</summary>
public class OnnxSkeletonTests
{
    private static ModelProto WithoutInitializerData(ModelProto model)
    {
        var copy = model.Clone();
        foreach (var t in copy.Graph?.Initializer ?? [])
        {
            t.RawData = ByteString.Empty;
            if (t.DataType == (int)TensorProto.Types.DataType.Float) t.FloatData.Clear();
            if (t.DataType == (int)TensorProto.Types.DataType.Double) t.DoubleData.Clear();
        }
        return copy;
    }

    private static byte[] LittleEndian(TensorProto t) =>
        t.RawData.Length > 0 ? t.RawData.ToByteArray()
        : t.DataType == (int)TensorProto.Types.DataType.Double ? t.DoubleData.SelectMany(BitConverter.GetBytes).ToArray()
        : t.FloatData.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] InFile(byte[] bytes, TensorPayload p) =>
        (p.Raw ?? p.Packed) is { } r ? bytes.AsSpan((int)r.Offset, r.Length).ToArray() : [];

    private static byte[] SmallModel()
    {
        var b = new OnnxModelBuilder()
            .Float("w", [2, 3], [1, 2, 3, 4, 5, 6])
            .Float("typed", [2], [7, 8], raw: false)
            .Float("v", [3], [9, 10, 11])
            .Node("MatMul", ["x", "w"], ["y"]);
        b.Graph.Node[0].Attribute.Add(new AttributeProto
        {
            Name = "t", Type = AttributeProto.Types.AttributeType.Tensor,
            T = new TensorProto { Name = "const", DataType = 1, Dims = { 1 }, RawData = ByteString.CopyFrom(new byte[4]) },
        });
        return b.Model.ToByteArray();
    }

    [Test]
    public void Split_SmallModel_SkeletonIsTheModelWithoutInitializerData()
    {
        var bytes = SmallModel();
        var whole = ModelProto.Parser.ParseFrom(bytes);

        var (skeleton, ranges) = OnnxSkeleton.Split(bytes)!.Value;

        Assert.That(ModelProto.Parser.ParseFrom(skeleton), Is.EqualTo(WithoutInitializerData(whole)));
        Assert.That(ranges, Has.Count.EqualTo(3));
        Assert.That(ranges[1].Raw, Is.Null);
        Assert.That(ranges[1].Packed, Is.Not.Null, "the float_data tensor's packed values stay in the file");
        for (int i = 0; i < 3; i++)
            Assert.That(InFile(bytes, ranges[i]), Is.EqualTo(LittleEndian(whole.Graph.Initializer[i])));
        Assert.That(ModelProto.Parser.ParseFrom(skeleton).Graph.Node[0].Attribute[0].T.RawData.Length, Is.EqualTo(4),
            "tensors outside the initializers keep their raw_data");
    }

    [Test]
    public void Split_ResNet18_RangesHoldEveryInitializersRawData()
    {
        var bytes = File.ReadAllBytes(OnnxModelSourceResNet18Tests.ModelPath);
        var whole = ModelProto.Parser.ParseFrom(bytes);

        var (skeleton, ranges) = OnnxSkeleton.Split(bytes)!.Value;

        Assert.That(skeleton.Length, Is.LessThan(bytes.Length / 100));
        Assert.That(ModelProto.Parser.ParseFrom(skeleton), Is.EqualTo(WithoutInitializerData(whole)));
        Assert.That(ranges, Has.Count.EqualTo(whole.Graph.Initializer.Count));
        for (int i = 0; i < ranges.Count; i++)
            Assert.That(InFile(bytes, ranges[i]), Is.EqualTo(LittleEndian(whole.Graph.Initializer[i])), whole.Graph.Initializer[i].Name);
    }

    [Test]
    public void Split_EveryTruncation_NullOrTheSameAsTheParser()
    {
        var bytes = SmallModel();
        int accepted = 0, parsedCount = 0;
        for (int n = 1; n <= bytes.Length; n++) // the whole model last: it must be split
        {
            var cut = bytes[..n];
            ModelProto? parsed;
            try { parsed = ModelProto.Parser.ParseFrom(cut); }
            catch (InvalidProtocolBufferException) { parsed = null; }
            if (parsed is not null) parsedCount++;
            var split = OnnxSkeleton.Split(cut);
            if (split is null) continue; // the caller then lets the parser judge the bytes
            Assert.That(parsed, Is.Not.Null, $"split accepted {n} bytes the parser refuses");
            Assert.That(ModelProto.Parser.ParseFrom(split.Value.Skeleton), Is.EqualTo(WithoutInitializerData(parsed!)), $"{n} bytes");
            accepted++;
        }
        TestContext.Out.WriteLine($"split accepted {accepted}, the parser {parsedCount}, of {bytes.Length} prefixes");
        // Counted: a Split that refused every prefix would check nothing.
        Assert.That(OnnxSkeleton.Split(bytes), Is.Not.Null, "the whole model");
        Assert.That(accepted, Is.GreaterThanOrEqualTo(3), $"split accepted {accepted} of {bytes.Length} prefixes (the parser {parsedCount})");
    }

    [Test]
    public void Split_RepeatedRawData_LastOccurrenceWins()
    {
        // TensorProto { name = "w"; raw_data = 4 bytes; raw_data = "" } inside a graph: protobuf keeps the last (empty).
        var tensor = new List<byte> { 8 << 3 | 2, 1, (byte)'w', 9 << 3 | 2, 4, 1, 2, 3, 4, 9 << 3 | 2, 0 };
        var bytes = ModelWithTensor(tensor);

        var (skeleton, ranges) = OnnxSkeleton.Split(bytes)!.Value;

        Assert.That(ModelProto.Parser.ParseFrom(bytes).Graph.Initializer[0].RawData.IsEmpty, Is.True);
        Assert.That(ranges.Single().IsEmpty, Is.True);
        Assert.That(ModelProto.Parser.ParseFrom(skeleton), Is.EqualTo(ModelProto.Parser.ParseFrom(bytes)));
    }

    [Test]
    public void Split_FloatDataInTwoRuns_KeptInTheSkeleton()
    {
        // float_data occurring twice concatenates: it is left to the parser rather than split.
        var tensor = new List<byte> { 2 << 3, 1, 4 << 3 | 2, 4, 0, 0, 128, 63, 4 << 3 | 2, 4, 0, 0, 0, 64 };
        var bytes = ModelWithTensor(tensor);

        var (skeleton, ranges) = OnnxSkeleton.Split(bytes)!.Value;

        Assert.That(ranges.Single().IsEmpty, Is.True);
        Assert.That(ModelProto.Parser.ParseFrom(skeleton).Graph.Initializer[0].FloatData, Is.EqualTo(new[] { 1f, 2f }));
    }

    [Test]
    public void Split_GroupWireType_Null()
    {
        byte[] bytes = [1 << 3, 3, 20 << 3 | 3, 20 << 3 | 4];
        Assert.That(OnnxSkeleton.Split(bytes), Is.Null);
    }

    /// <summary>ModelProto { ir_version = 3; graph { initializer = tensor } }, tensor short enough for one-byte lengths.</summary>
    private static byte[] ModelWithTensor(List<byte> tensor)
    {
        var graph = new List<byte> { 5 << 3 | 2, (byte)tensor.Count };
        graph.AddRange(tensor);
        var model = new List<byte> { 1 << 3, 3, 7 << 3 | 2, (byte)graph.Count };
        model.AddRange(graph);
        return model.ToArray();
    }
}
