using FastBertTokenizer;

namespace Alds.Engine.Evaluation;

/// <summary>
/// WordPiece tokenisation with a model's own vocabulary (FastBertTokenizer): <c>[CLS] text [SEP]</c>, cut to
/// <see cref="MaxLength"/> tokens. Lower-casing follows the vocabulary unless overridden: a vocabulary with no
/// ASCII capital outside its bracketed special tokens is an uncased one (uncased vocabularies still hold symbols
/// such as 'ℝ' that Unicode calls upper-case).
/// </summary>
internal sealed class TextTokenizer
{
    private readonly BertTokenizer _tokenizer = new();

    private TextTokenizer(string vocabPath, bool lowercase, int maxLength, long padId)
    {
        VocabPath = vocabPath;
        Lowercase = lowercase;
        MaxLength = maxLength;
        PadId = padId;
    }

    public string VocabPath { get; }
    public bool Lowercase { get; }
    public int MaxLength { get; }
    public long PadId { get; }

    /// <summary>The vocabulary to use: <paramref name="vocab"/> when given, else <c>vocab.txt</c> beside the model.</summary>
    /// <exception cref="ModelFormatException">Neither exists (one line saying what was looked for).</exception>
    public static string ResolveVocab(string? vocab, string modelPath)
    {
        if (vocab is not null)
            return File.Exists(vocab) ? vocab : throw new ModelFormatException($"{vocab}: vocabulary file not found");
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", "vocab.txt");
        return File.Exists(beside) ? beside
            : throw new ModelFormatException($"{modelPath}: a text model needs its WordPiece vocabulary: pass --vocab FILE or put vocab.txt beside the model");
    }

    /// <exception cref="ModelFormatException">The vocabulary has no [CLS], [SEP], [UNK] or [PAD] token, or cannot be read.</exception>
    public static TextTokenizer Load(string vocabPath, bool? lowercase, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        string[] lines;
        try { lines = File.ReadAllLines(vocabPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{vocabPath}: cannot read the vocabulary: {e.Message}");
        }
        foreach (var special in new[] { "[CLS]", "[SEP]", "[UNK]", "[PAD]" })
            if (!lines.Contains(special))
                throw new ModelFormatException($"{vocabPath}: not a WordPiece vocabulary (no {special} token)");
        bool lower = lowercase ?? !lines.Any(t => !(t.StartsWith('[') && t.EndsWith(']')) && t.Any(char.IsAsciiLetterUpper));
        var result = new TextTokenizer(vocabPath, lower, maxLength, Array.IndexOf(lines, "[PAD]"));
        using var reader = new StringReader(string.Join('\n', lines));
        result._tokenizer.LoadVocabulary(reader, lower);
        return result;
    }

    /// <summary>The token ids of one text, <c>[CLS] … [SEP]</c>, at most <see cref="MaxLength"/> of them.</summary>
    public long[] Encode(string text)
    {
        var buffer = new long[MaxLength];
        var mask = new long[MaxLength];
        int count = _tokenizer.Encode(text, buffer, mask, padTo: null);
        return buffer[..count];
    }
}
