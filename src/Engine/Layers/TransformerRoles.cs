using System.Text.RegularExpressions;

namespace Alds.Engine.Layers;

/// <summary>
/// The role of a linear layer in a transformer, from the Hugging Face checkpoint names: BERT/RoBERTa
/// (<c>attention.self.query|key|value</c>, <c>attention.output.dense</c>, <c>intermediate.dense</c>, <c>output.dense</c>,
/// <c>pooler.dense</c>) and Llama/Mistral (<c>q_proj k_proj v_proj o_proj gate_proj up_proj down_proj</c>, <c>lm_head</c>).
/// The block index comes from <c>layer.N</c> or <c>layers.N</c>.
/// </summary>
public static partial class TransformerRoles
{
    private static readonly (Regex Pattern, string Role)[] Rules =
    [
        (Suffix(@"attention\.self\.query"), "attention query"),
        (Suffix(@"attention\.self\.key"), "attention key"),
        (Suffix(@"attention\.self\.value"), "attention value"),
        (Suffix(@"attention\.output\.dense"), "attention output"),
        (Suffix(@"intermediate\.dense"), "feed-forward up"),
        (Suffix(@"layer\.\d+\.output\.dense"), "feed-forward down"),
        (Suffix(@"pooler\.dense"), "pooler"),
        (Suffix(@"q_proj"), "attention query"),
        (Suffix(@"k_proj"), "attention key"),
        (Suffix(@"v_proj"), "attention value"),
        (Suffix(@"o_proj"), "attention output"),
        (Suffix(@"gate_proj"), "MLP gate"),
        (Suffix(@"up_proj"), "MLP up"),
        (Suffix(@"down_proj"), "MLP down"),
        (Suffix(@"lm_head"), "LM head"),
        (Suffix(@"lm_head\.dense"), "LM head transform"),
    ];

    private static Regex Suffix(string tail) => new($@"(^|\.){tail}$", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"(^|\.)layers?\.(\d+)\.")]
    private static partial Regex Block();

    /// <summary>"attention query, block 3", "LM head", or null for a name that follows neither convention.</summary>
    public static string? RoleOf(string layerName)
    {
        ArgumentNullException.ThrowIfNull(layerName);
        foreach (var (pattern, role) in Rules)
        {
            if (!pattern.IsMatch(layerName)) continue;
            var block = Block().Match(layerName);
            return block.Success ? $"{role}, block {block.Groups[2].Value}" : role;
        }
        return null;
    }

    /// <summary>
    /// Weights that are the input embedding under another name when the config ties them: <c>lm_head</c>, RoBERTa's
    /// <c>lm_head.decoder</c> and BERT's <c>cls.predictions.decoder</c>, when a word-embedding tensor of the same shape exists.
    /// Returns weight name → the embedding it is tied to.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> TiedToEmbedding(IEnumerable<(string Name, long[] Shape)> tensors, bool tieWordEmbeddings)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!tieWordEmbeddings) return result;
        var all = tensors.ToList();
        var embeddings = all.Where(t => t.Shape.Length == 2 && (t.Name.EndsWith("embed_tokens.weight", StringComparison.Ordinal)
            || t.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal) || t.Name.EndsWith("wte.weight", StringComparison.Ordinal))).ToList();
        foreach (var t in all)
        {
            if (t.Shape.Length != 2 || !(t.Name is "lm_head.weight" || t.Name.EndsWith(".lm_head.weight", StringComparison.Ordinal)
                || t.Name.EndsWith("lm_head.decoder.weight", StringComparison.Ordinal) || t.Name.EndsWith("predictions.decoder.weight", StringComparison.Ordinal)))
                continue;
            var tied = embeddings.FirstOrDefault(e => e.Shape.SequenceEqual(t.Shape));
            if (tied.Name is not null) result[t.Name] = tied.Name;
        }
        return result;
    }
}
