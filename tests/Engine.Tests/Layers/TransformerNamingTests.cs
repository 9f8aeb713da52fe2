using Alds.Engine.Layers;
using Alds.Engine.Models;

namespace Alds.Engine.Tests.Layers;

public class TransformerNamingTests
{
    [TestCase("encoder.layer.3.attention.self.query", "attention query, block 3")]
    [TestCase("bert.encoder.layer.0.attention.self.value", "attention value, block 0")]
    [TestCase("roberta.encoder.layer.11.attention.output.dense", "attention output, block 11")]
    [TestCase("encoder.layer.2.intermediate.dense", "feed-forward up, block 2")]
    [TestCase("encoder.layer.2.output.dense", "feed-forward down, block 2")]
    [TestCase("pooler.dense", "pooler")]
    [TestCase("model.layers.7.self_attn.k_proj", "attention key, block 7")]
    [TestCase("model.layers.7.self_attn.o_proj", "attention output, block 7")]
    [TestCase("model.layers.0.mlp.gate_proj", "MLP gate, block 0")]
    [TestCase("model.layers.0.mlp.down_proj", "MLP down, block 0")]
    [TestCase("lm_head", "LM head")]
    [TestCase("features.0", null)]
    [TestCase("classifier.output.dense2", null)]
    public void RoleOf_HuggingFaceNames(string name, string? role) => Assert.That(TransformerRoles.RoleOf(name), Is.EqualTo(role));

    private static readonly (string, long[])[] Llama =
        [("model.embed_tokens.weight", [100, 16]), ("lm_head.weight", [100, 16]), ("model.layers.0.mlp.up_proj.weight", [32, 16])];

    [Test]
    public void TiedToEmbedding_TiedConfig_LmHeadTiedToEmbedTokens() =>
        Assert.That(TransformerRoles.TiedToEmbedding(Llama, true), Is.EquivalentTo(new Dictionary<string, string> { ["lm_head.weight"] = "model.embed_tokens.weight" }));

    [Test]
    public void TiedToEmbedding_UntiedConfig_Nothing() => Assert.That(TransformerRoles.TiedToEmbedding(Llama, false), Is.Empty);

    [Test]
    public void TiedToEmbedding_BertMlmDecoder_Tied() =>
        Assert.That(TransformerRoles.TiedToEmbedding(
            [("bert.embeddings.word_embeddings.weight", [50, 8]), ("cls.predictions.decoder.weight", [50, 8])], true).Keys,
            Is.EqualTo(new[] { "cls.predictions.decoder.weight" }));

    private static string WriteConfig(string json)
    {
        var dir = Directory.CreateTempSubdirectory("alds-config-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), json);
        return Path.Combine(dir, "model.safetensors");
    }

    [TestCase("{\"model_type\":\"llama\"}", false)]
    [TestCase("{\"model_type\":\"mistral\"}", false)]
    [TestCase("{\"model_type\":\"bert\"}", true)]
    [TestCase("{\"model_type\":\"llama\",\"tie_word_embeddings\":true}", true)]
    [TestCase("{\"model_type\":\"bert\",\"tie_word_embeddings\":false}", false)]
    public void Config_TieWordEmbeddings_ExplicitOrTheLibraryDefault(string json, bool tied)
    {
        var model = WriteConfig(json);
        try { Assert.That(TransformerConfig.Beside(model)!.TieWordEmbeddings, Is.EqualTo(tied)); }
        finally { Directory.Delete(Path.GetDirectoryName(model)!, true); }
    }

    [TestCase("not json")]
    [TestCase("{\"name\":\"some other tool's config\"}")]
    public void Config_UnrelatedConfigJson_Ignored(string json)
    {
        var model = WriteConfig(json);
        try { Assert.That(TransformerConfig.Beside(model), Is.Null); }
        finally { Directory.Delete(Path.GetDirectoryName(model)!, true); }
    }
}
