using System.Text.Json;
using Alds.Engine.Analysis;
using Alds.Engine.Calibration;
using Alds.Engine.Evaluation;
using Alds.Engine.Models;
using Alds.Engine.Tests.Cli;
using Alds.Engine.Tests.Evaluation;

namespace Alds.Engine.Tests.Calibration;

/// <summary>Calibration of text models (<c>--calibration-texts</c>) on <see cref="TinyTextModel"/>, whose layer inputs have closed forms.</summary>
public class TextCalibrationTests
{
    private const int D = 5, H = 7;

    private static string TwoLayerModel(TempFolder dir, bool withVocab = true)
    {
        var path = dir["text.onnx"];
        TinyTextModel.Write(path, TinyTextModel.Random(TinyTextModel.Vocabulary.Length * D, 1), D, TinyTextModel.Random(D * H, 2), H,
            TinyTextModel.Random(H * D, 3), withVocab);
        return path;
    }

    /// <summary><paramref name="count"/> distinct texts of 1–8 words, seeded.</summary>
    private static string[] Texts(int count, int seed)
    {
        var rng = new Random(seed);
        var texts = new HashSet<string>();
        while (texts.Count < count)
            texts.Add(string.Join(' ', Enumerable.Range(0, rng.Next(1, 9)).Select(_ => TinyTextModel.Words[rng.Next(TinyTextModel.Words.Length)])));
        return [.. texts];
    }

    private static string TextsFile(TempFolder dir, string name, IEnumerable<string> texts)
    {
        File.WriteAllLines(dir[name], texts);
        return dir[name];
    }

    // Oracle: x = E[id] for every real token (ids from the tokenizer, [CLS] … [SEP], no padding), r = relu(x·W1);
    // C1 = mean x xᵀ, C2 = mean r rᵀ by plain loops in float64. The batches of 16 texts of 1–8 words are padded, and
    // the [PAD] row of E is not zero, so a moment that counted padding would differ (in the sum and in the count).
    [Test]
    public void Capture_TinyTextModel_MomentsAreMeansOverRealTokensOnly()
    {
        using var dir = new TempFolder();
        var model = TwoLayerModel(dir);
        var texts = Texts(20, 4);
        var file = TextsFile(dir, "cal.txt", texts);
        var inputs = CalibrationInputs.Prepare(model, new CalibrationOptions(TextsFile: file, Samples: 20), null);
        Assert.That(inputs.Feeds, Has.Count.EqualTo(2));
        Assert.That(inputs.Feeds.Any(f => f.Tokens!.Mask.Contains(0)), Is.True, "some batch is padded");

        var e = TinyTextModel.Random(TinyTextModel.Vocabulary.Length * D, 1);
        var w1 = TinyTextModel.Random(D * H, 2);
        var tokenizer = TextTokenizer.Load(dir["vocab.txt"], null, 256);
        var c1 = new double[D * D];
        var mu1 = new double[D];
        var c2 = new double[H * H];
        long tokens = 0;
        foreach (var text in texts)
            foreach (var id in tokenizer.Encode(text))
            {
                tokens++;
                var x = e.AsSpan((int)id * D, D).ToArray();
                var r = new double[H];
                for (int o = 0; o < H; o++)
                {
                    double s = 0;
                    for (int i = 0; i < D; i++) s += (double)x[i] * w1[i * H + o];
                    r[o] = Math.Max(0, s);
                }
                for (int i = 0; i < D; i++)
                {
                    mu1[i] += x[i];
                    for (int j = 0; j < D; j++) c1[i * D + j] += (double)x[i] * x[j];
                }
                for (int i = 0; i < H; i++)
                    for (int j = 0; j < H; j++) c2[i * H + j] += r[i] * r[j];
            }
        Assert.That(inputs.Set.Tokens, Is.EqualTo(tokens));

        using var source = new OnnxModelSource(model);
        using var store = new MomentStore(dir.Sub("moments"), 1, inputs.Set.Key());
        var layers = source.Bindings.Select(b => LayerInput.Of(source, b)).ToArray();
        Assert.That(layers.Select(l => l.Order), Is.EquivalentTo(new[] { D, H }));
        Assert.That(ActivationCapture.Run(source, layers, inputs, store, 1 << 20), Is.EqualTo(2));
        foreach (var layer in layers)
        {
            var (c, count) = store.TryRead(layer.Layer.Name, layer.Order)!.Value;
            var expected = layer.Order == D ? c1 : c2;
            int n = layer.Order;
            double scale = Enumerable.Range(0, n).Max(i => expected[i * n + i]) / tokens;
            Assert.That(count, Is.EqualTo(tokens), layer.Layer.Name);
            if (layer.Order == D)
                Assert.That(store.TryReadMean(layer.Layer.Name, D), Is.EqualTo(mu1.Select(v => v / tokens)).Within(1e-6), "first moment");
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                    Assert.That(c[i * n + j], Is.EqualTo(expected[i * n + j] / tokens).Within(1e-6 * scale), $"{layer.Layer.Name} [{i}, {j}]");
        }
    }

    // Every text is one word: [CLS] word [SEP]. With [CLS], [SEP] embedded as 0 and word i as 6·e_i (12 words, d = 12),
    // C = (1/36) Σ_i 36 e_i e_iᵀ = I exactly; with λ = 0 the calibrated plan is the data-free one.
    [Test]
    public void Plan_IdentityMomentNoDamping_DataFreePlan()
    {
        using var dir = new TempFolder();
        int d = TinyTextModel.Words.Length, h = 9;
        var e = new float[TinyTextModel.Vocabulary.Length * d];
        for (int i = 0; i < d; i++) e[(4 + i) * d + i] = 6;
        var model = dir["one.onnx"];
        TinyTextModel.Write(model, e, d, TinyTextModel.Random(d * h, 5), h, null);
        var file = TextsFile(dir, "words.txt", TinyTextModel.Words);

        var inputs = CalibrationInputs.Prepare(model, new CalibrationOptions(TextsFile: file, Samples: d), null);
        using var source = new OnnxModelSource(model);
        using var store = new MomentStore(dir.Sub("moments"), 1, inputs.Set.Key());
        var layer = LayerInput.Of(source, source.Bindings[0]);
        ActivationCapture.Run(source, [layer], inputs, store, 1 << 20);
        var (c, count) = store.TryRead(layer.Layer.Name, d)!.Value;
        Assert.That(count, Is.EqualTo(3 * d));
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++) Assert.That(c[i * d + j], Is.EqualTo(i == j ? 1.0 : 0.0), $"C[{i}, {j}]");

        var free = AldsRunner.Run("plan", model, "--keep", "0.6", "--json");
        var calibrated = AldsRunner.Run("plan", model, "--keep", "0.6", "--calibration-texts", file, "--calibration-samples", $"{d}",
            "--calibration-lambda", "0", "--json");
        Assert.That(free.Code, Is.EqualTo(0), free.ToString());
        Assert.That(calibrated.Code, Is.EqualTo(0), calibrated.ToString());
        using var a = JsonDocument.Parse(free.Out);
        using var b = JsonDocument.Parse(calibrated.Out);
        var la = a.RootElement.GetProperty("layers")[0];
        var lb = b.RootElement.GetProperty("layers")[0];
        Assert.That(la.GetProperty("compressed").GetBoolean(), Is.True, free.Out);
        foreach (var key in new[] { "groups", "rank" })
            Assert.That(lb.GetProperty(key).GetInt32(), Is.EqualTo(la.GetProperty(key).GetInt32()), key);
        Assert.That(lb.GetProperty("rel_error").GetDouble(), Is.EqualTo(la.GetProperty("rel_error").GetDouble()).Within(1e-12));
        Assert.That(b.RootElement.GetProperty("calibration").GetProperty("tokens").GetInt64(), Is.EqualTo(3 * d));
    }

    [Test]
    public void Compress_TextCalibration_RecordedInPlanAndEvalWarnsOnlyOnOverlap()
    {
        using var dir = new TempFolder();
        var model = TwoLayerModel(dir);
        var all = Texts(40, 6);
        var calibration = TextsFile(dir, "cal.txt", all[..20]);
        var heldOut = TextsFile(dir, "held.txt", all[20..]);
        var output = dir["text.alds.onnx"];
        var r = AldsRunner.Run("compress", model, "--keep", "0.7", "--calibration-texts", calibration, "--calibration-samples", "20", "-o", output, "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        using (var doc = JsonDocument.Parse(r.Out))
        {
            var cal = doc.RootElement.GetProperty("calibration");
            Assert.That(cal.GetProperty("source").GetString(), Is.EqualTo(calibration));
            Assert.That(cal.GetProperty("samples").GetInt32(), Is.EqualTo(20));
            Assert.That(cal.GetProperty("texts").EnumerateArray().Select(t => t.GetString()),
                Is.EquivalentTo(all[..20].Select(t => TextCorpus.ContentHash(t).ToString("x16"))));
            Assert.That(cal.TryGetProperty("images", out _), Is.False);
            Assert.That(cal.GetProperty("preprocessing").GetString(), Does.Contain("vocab.txt").And.Contain("lower-cased"));
            Assert.That(cal.GetProperty("layers")[0].GetProperty("vectors").GetInt64(), Is.EqualTo(cal.GetProperty("tokens").GetInt64()));
        }
        var overlapping = AldsRunner.Run("eval", model, output, "--texts", TextsFile(dir, "mixed.txt", all[15..25]), "--runs", "1", "--json");
        Assert.That(overlapping.Code, Is.EqualTo(0), overlapping.ToString());
        Assert.That(overlapping.Err, Does.Contain("warning: 5 of the 10 evaluation texts calibrated"), overlapping.ToString());
        var disjoint = AldsRunner.Run("eval", model, output, "--texts", heldOut, "--runs", "1", "--json");
        Assert.That(disjoint.Code, Is.EqualTo(0), disjoint.ToString());
        Assert.That(disjoint.Err, Does.Not.Contain("warning"), disjoint.ToString());
    }

    [Test]
    public void TextCorpus_HeadAndTail_DisjointAndHeadIsEvalSample()
    {
        using var dir = new TempFolder();
        var file = TextsFile(dir, "t.txt", Texts(30, 7));
        var head = TextCorpus.Load(file, 12, 3, CorpusEnd.Head, 1, "");
        var tail = TextCorpus.Load(file, 12, 3, CorpusEnd.Tail, 1, "");
        Assert.That(head.Intersect(tail), Is.Empty);
        Assert.That(tail, Is.Unique.And.Count.EqualTo(12));
        Assert.That(head, Is.EqualTo(TextCorpus.Load(file, 12, 3)));
    }

    [TestCase("empty", "no texts")]
    [TestCase("blank", "no texts")]
    [TestCase("missing", "file not found")]
    public void Compress_BadCalibrationTexts_OneLineNothingWritten(string kind, string mention)
    {
        using var dir = new TempFolder();
        var model = TwoLayerModel(dir);
        var file = dir["texts.txt"];
        if (kind == "empty") File.WriteAllText(file, "");
        if (kind == "blank") File.WriteAllLines(file, ["", "   ", "\t"]);
        var r = AldsRunner.Run("compress", model, "--keep", "0.7", "--calibration-texts", file, "-o", dir["out.onnx"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "texts.txt", mention);
        Assert.That(File.Exists(dir["out.onnx"]), Is.False);
    }

    [Test]
    public void Compress_TextModelWithoutVocab_OneLine()
    {
        using var dir = new TempFolder();
        var model = TwoLayerModel(dir, withVocab: false);
        var file = TextsFile(dir, "cal.txt", Texts(5, 8));
        var r = AldsRunner.Run("compress", model, "--keep", "0.7", "--calibration-texts", file, "-o", dir["out.onnx"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "vocab");
        Assert.That(File.Exists(dir["out.onnx"]), Is.False);
    }

    [Test]
    public void Plan_ImageFolderOnTextModel_OneLine()
    {
        using var dir = new TempFolder();
        var model = TwoLayerModel(dir);
        var r = AldsRunner.Run("plan", model, "--keep", "0.7", "--calibration", dir.Sub("images"));
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "text model", "--calibration-texts");
    }

    [Test]
    public void Plan_TextsOnImageModel_OneLine()
    {
        using var dir = new TempFolder();
        var model = dir["tiny.onnx"];
        TinyOnnxModels.WriteClassifier(model, new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var r = AldsRunner.Run("plan", model, "--keep", "0.7", "--calibration-texts", TextsFile(dir, "t.txt", ["some text"]));
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "image model", "--calibration-texts");
    }

    [Test]
    public void Plan_VocabWithoutCalibration_UsageError() =>
        CliAssert.UsageError(AldsRunner.Run("plan", "--keep", "0.5", "--vocab", "v.txt"), "--vocab is for text-model calibration");
}
