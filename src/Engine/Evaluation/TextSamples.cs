namespace Alds.Engine.Evaluation;

/// <summary>
/// The tokenised texts a text model is run on, by <c>alds eval</c> and by text calibration alike: the model's WordPiece
/// vocabulary (<c>--vocab</c> or <c>vocab.txt</c> beside the model), a seeded sample of the corpus (<see cref="TextCorpus"/>),
/// and the token limit (given, or 256 lowered to the model's position table).
/// </summary>
public sealed record TextSamples(IReadOnlyList<string> Texts, IReadOnlyList<long[]> Tokens, string Source)
{
    /// <summary>The tokeniser the texts were encoded with (its padding id and settings go with them).</summary>
    internal TextTokenizer Tokenizer { get; private init; } = null!;

    /// <summary>
    /// Default token limit, lowered to the model's position table when that is shorter: what sentence-transformers
    /// runs all-MiniLM-L6-v2 with. A few fortunes are longer; padding a batch of 32 to 512 tokens made one timed run
    /// take 8 s on the 2-core development machine.
    /// </summary>
    public const int DefaultMaxLength = 256;

    /// <summary>Cheap checks first (the vocabulary, then the texts), then the token limit and the tokenisation.</summary>
    /// <param name="modelPath">The model (its folder holds the default vocabulary; its position table bounds the length).</param>
    /// <param name="textsFile">One text a line; null: Debian's fortunes.</param>
    /// <param name="end">Which end of the seeded permutation the sample comes from (eval: head, calibration: tail).</param>
    /// <param name="least">Fewest texts accepted; fewer is bad input, explained by <paramref name="why"/>.</param>
    /// <exception cref="ModelFormatException">No vocabulary, no (or too few) texts, or a token limit above the model's positions.</exception>
    public static TextSamples Prepare(string modelPath, string? textsFile, string? vocab, int samples, int? maxLength, bool? lowercase,
        ulong seed, CorpusEnd end, int least, string why)
    {
        if (maxLength is < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), "must be at least 2");
        var vocabPath = TextTokenizer.ResolveVocab(vocab, modelPath);
        var texts = TextCorpus.Load(textsFile, samples, seed, end, least, why);
        int? table = PositionTable.Length(modelPath);
        if (maxLength > table)
            throw new ModelFormatException($"{modelPath}: --max-length {maxLength} exceeds the model's {table} positions");
        int length = maxLength ?? Math.Min(table ?? DefaultMaxLength, DefaultMaxLength);
        var tokenizer = TextTokenizer.Load(vocabPath, lowercase, length);
        return new TextSamples(texts, texts.Select(tokenizer.Encode).ToList(), TextCorpus.Describe(textsFile)) { Tokenizer = tokenizer };
    }

    /// <summary>Text indices sorted by token count (then index): batches of similar length waste little on padding.</summary>
    public int[] ByLength() => Enumerable.Range(0, Tokens.Count).OrderBy(i => Tokens[i].Length).ThenBy(i => i).ToArray();
}
