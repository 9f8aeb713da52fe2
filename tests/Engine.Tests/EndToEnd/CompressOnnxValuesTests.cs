using System.Runtime.InteropServices;
using System.Text.Json;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Export;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>
/// <c>alds compress -o x.onnx</c> checked by value: Ŵ is rebuilt from the factor initializers the CLI wrote
/// (independently of the engine: Ŵ[o, i·g + c', y, x] = Σ_r D[o, i·j + r, yd, xd]·E[i·j + r, c', ye, xe]); the
/// rewritten model must compute what the original graph computes with Ŵ in place of W, and the factors must keep
/// the weight's dtype (BF16 included).
/// </summary>
public class CompressOnnxValuesTests
{
    [Test]
    public void CompressToOnnx_ResNet18FewLayers_OutputsEqualOriginalGraphWithWhat()
    {
        var (path, plan) = ResNet18Workspace.Compressed("few.onnx", "--keep", "0.5", "--include", CompressOnnxTests.FewLayers);
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(AldsRunner.EmbeddedModel));
        var compressed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var reference = original.Clone();
        int rebuilt = 0;
        foreach (var layer in plan.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("compressed").GetBoolean()))
        {
            var name = layer.GetProperty("name").GetString()!;
            var what = RebuildConv(original, compressed, name, layer);
            reference = OnnxTestKit.WithWeight(reference, name, what);
            rebuilt++;
        }
        Assert.That(rebuilt, Is.Positive, "some of the three included layers are compressed at keep 0.5");

        var shape = new long[] { 1, 3, 224, 224 };
        var input = OnnxTestKit.RandomInput(new Random(11), shape);
        var inputName = original.Graph.Input.Select(i => i.Name).Except(original.Graph.Initializer.Select(t => t.Name)).Single();
        var y = OnnxTestKit.Run(compressed, inputName, input, shape);
        var yHat = OnnxTestKit.Run(reference, inputName, input, shape);
        var y0 = OnnxTestKit.Run(original, inputName, input, shape);
        // The check can tell: Ŵ moves the output far more than the tolerance below.
        Assert.That(RelMaxDiff(y0, yHat), Is.GreaterThan(1e-2), "Ŵ must change the output measurably");
        OnnxTestKit.AssertClose(y, yHat, 1e-4);
    }

    [Test]
    public void CompressToOnnx_Bf16ConvInitializer_FactorsBf16AndMeasuredErrorIsTheirs()
    {
        using var folder = new TempFolder();
        int outC = 24, inC = 16, kh = 3, kw = 3;
        var rng = new Random(21);
        var bits = new ushort[outC * inC * kh * kw];
        var w = new double[bits.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)(BitConverter.SingleToUInt32Bits((float)(rng.NextDouble() - 0.5)) >> 16); // truncation: exact BF16
            w[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16);
        }
        var model = OnnxTestKit.NewModel();
        var weight = new TensorProto { Name = "conv.weight", DataType = (int)DataType.Bfloat16, Dims = { outC, inC, kh, kw } };
        weight.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(bits.AsSpan()));
        model.Graph.Initializer.Add(weight);
        model.Graph.Input.Add(OnnxTestKit.Value("x", 1, inC, 8, 8));
        model.Graph.Output.Add(OnnxTestKit.Value("y", 1, outC, 8, 8));
        model.Graph.Node.Add(OnnxTestKit.Node("Conv", "conv", ["x", "conv.weight"], ["y"], OnnxTestKit.Ints("pads", 1, 1, 1, 1)));
        var input = folder["bf16.onnx"];
        File.WriteAllBytes(input, model.ToByteArray());

        var output = folder["out.onnx"];
        var r = AldsRunner.Run("compress", input, "--keep", "0.3", "-o", output, "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var layer = JsonDocument.Parse(r.Out).RootElement.GetProperty("layers").EnumerateArray().Single();
        Assert.That(layer.GetProperty("compressed").GetBoolean(), Is.True, r.Out);

        var compressed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        var added = compressed.Graph.Initializer.Where(t => t.Name != "conv.weight").ToList();
        Assert.That(added, Has.Count.EqualTo(2), "encoder and decoder weights");
        Assert.That(added.Select(t => (DataType)t.DataType), Is.All.EqualTo(DataType.Bfloat16), "factors keep the weight's dtype");

        var what = RebuildConv(model, compressed, "conv.weight", layer);
        int n = inC * kh * kw; // scheme 0: W folded to out × (in·kh·kw) is its plain reshape
        Assert.That(layer.GetProperty("scheme").GetInt32(), Is.Zero);
        var residual = new double[w.Length];
        for (int i = 0; i < w.Length; i++) residual[i] = w[i] - what[i];
        double expected = Oracles.Lapack.SingularValues(residual, outC, n)[0] / Oracles.Lapack.SingularValues(w, outC, n)[0];
        Assert.That(layer.GetProperty("rel_error_measured").GetDouble(), Is.EqualTo(expected).Within(1e-6 * expected),
            "the measured error is that of the BF16 factors written");
    }

    private static double RelMaxDiff(float[] a, float[] b)
    {
        double worst = 0, scale = 0;
        for (int i = 0; i < a.Length; i++) { worst = Math.Max(worst, Math.Abs((double)a[i] - b[i])); scale = Math.Max(scale, Math.Abs(b[i])); }
        return worst / scale;
    }

    /// <summary>
    /// Ŵ of the Conv whose weight initializer is <paramref name="weightName"/> in <paramref name="original"/>, from the
    /// encoder/decoder Conv pair that replaced it in <paramref name="compressed"/> (the decoder writes the original
    /// node's output; the encoder feeds the decoder).
    /// </summary>
    private static double[] RebuildConv(ModelProto original, ModelProto compressed, string weightName, JsonElement layer)
    {
        var node = original.Graph.Node.Single(nd => nd.OpType == "Conv" && nd.Input[1] == weightName);
        var dec = compressed.Graph.Node.Single(nd => nd.Output.Contains(node.Output[0]));
        var enc = compressed.Graph.Node.Single(nd => nd.Output.Contains(dec.Input[0]));
        Assert.That((enc.OpType, dec.OpType), Is.EqualTo(("Conv", "Conv")), weightName);
        Assert.That(enc.Input[0], Is.EqualTo(node.Input[0]), $"{weightName}: the encoder reads the layer's input");
        var e = compressed.Graph.Initializer.Single(t => t.Name == enc.Input[1]);
        var d = compressed.Graph.Initializer.Single(t => t.Name == dec.Input[1]);
        var shape = layer.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        int outC = shape[0], inC = shape[1], kh = shape[2], kw = shape[3];
        int k = layer.GetProperty("groups").GetInt32(), j = layer.GetProperty("rank").GetInt32(), g = inC / k;
        int ekh = (int)e.Dims[2], ekw = (int)e.Dims[3], dkh = (int)d.Dims[2], dkw = (int)d.Dims[3];
        Assert.That(e.Dims, Is.EqualTo(new long[] { k * j, g, ekh, ekw }), $"{weightName}: encoder shape");
        Assert.That(d.Dims, Is.EqualTo(new long[] { outC, k * j, dkh, dkw }), $"{weightName}: decoder shape");
        Assert.That(ekh * dkh == kh && ekw * dkw == kw, Is.True, $"{weightName}: kernel split");
        var enc0 = Values(e);
        var dec0 = Values(d);
        var w = new double[outC * inC * kh * kw];
        for (int o = 0; o < outC; o++)
            for (int i = 0; i < k; i++)
                for (int cp = 0; cp < g; cp++)
                    for (int y = 0; y < kh; y++)
                        for (int x = 0; x < kw; x++)
                        {
                            int ye = ekh == 1 ? 0 : y, xe = ekw == 1 ? 0 : x, yd = dkh == 1 ? 0 : y, xd = dkw == 1 ? 0 : x;
                            double sum = 0;
                            for (int r = 0; r < j; r++)
                                sum += dec0[((o * k * j + i * j + r) * dkh + yd) * dkw + xd]
                                     * enc0[(((i * j + r) * g + cp) * ekh + ye) * ekw + xe];
                            w[((o * inC + i * g + cp) * kh + y) * kw + x] = sum;
                        }
        return w;
    }

    /// <summary>An initializer's values (FLOAT or BFLOAT16, raw_data or typed fields), decoded here, not by the engine.</summary>
    private static double[] Values(TensorProto t)
    {
        var raw = t.RawData.Span;
        switch ((DataType)t.DataType)
        {
            case DataType.Float:
                return raw.Length > 0 ? [.. MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(v => (double)v)] : [.. t.FloatData.Select(v => (double)v)];
            case DataType.Bfloat16:
                var bits = raw.Length > 0 ? MemoryMarshal.Cast<byte, ushort>(raw).ToArray() : [.. t.Int32Data.Select(v => (ushort)v)];
                return [.. bits.Select(b => (double)BitConverter.UInt32BitsToSingle((uint)b << 16))];
            default:
                Assert.Fail($"{t.Name}: unexpected dtype {(DataType)t.DataType}");
                return [];
        }
    }
}
