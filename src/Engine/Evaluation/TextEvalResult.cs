namespace Alds.Engine.Evaluation;

/// <summary>How closely a compressed text model reproduces the original's outputs on real texts, and how fast both run.</summary>
/// <param name="Texts">Texts evaluated.</param>
/// <param name="RelOutputError">Mean over texts of ‖y − ŷ‖ / ‖y‖ (every output, token outputs over the text's own tokens).</param>
/// <param name="MaxRelOutputError">Largest relative output error over the texts.</param>
/// <param name="Cosine">Mean over texts of the cosine of the two mean-pooled embeddings.</param>
/// <param name="CosineMin">Smallest such cosine.</param>
/// <param name="NnAgreement">Fraction of texts whose nearest neighbour among the others (cosine of embeddings) is the same with both models.</param>
/// <param name="Embedding">Which output the embeddings come from, and how, in words.</param>
/// <param name="Batch1">Latency at batch 1 (original, compressed).</param>
/// <param name="Batch32">Latency at batch 32 (original, compressed).</param>
/// <param name="MaxLength">Token limit per text.</param>
/// <param name="Lowercase">Whether texts were lower-cased.</param>
/// <param name="Vocab">The vocabulary file used.</param>
/// <param name="Corpus">Where the texts came from.</param>
public sealed record TextEvalResult(
    int Texts,
    double RelOutputError,
    double MaxRelOutputError,
    double Cosine,
    double CosineMin,
    double NnAgreement,
    string Embedding,
    (LatencyStats Original, LatencyStats Compressed) Batch1,
    (LatencyStats Original, LatencyStats Compressed) Batch32,
    int MaxLength,
    bool Lowercase,
    string Vocab,
    string Corpus);
