namespace Alds.Engine.Evaluation;

/// <summary>What a text evaluation reads and how long it times.</summary>
/// <param name="TextsFile">One text a line; null: Debian's fortunes (<see cref="TextCorpus"/>).</param>
/// <param name="Vocab">WordPiece vocabulary; null: <c>vocab.txt</c> beside the original model.</param>
/// <param name="Samples">Texts drawn (seeded) from the corpus (≥ 2).</param>
/// <param name="MaxLength">Tokens per text including [CLS] and [SEP]; null: 256, or the model's position table when shorter.</param>
/// <param name="Lowercase">Lower-case the texts; null: as the vocabulary implies.</param>
/// <param name="Runs">Timed batch-1 runs per model (≥ 1), after <paramref name="WarmupRuns"/> untimed ones; batch 32 gets a quarter, at least 3.</param>
/// <param name="Seed">Seed of the sample.</param>
public sealed record TextEvalOptions(
    string? TextsFile = null,
    string? Vocab = null,
    int Samples = 256,
    int? MaxLength = null,
    bool? Lowercase = null,
    int Runs = 20,
    int WarmupRuns = 3,
    ulong Seed = TextCorpus.DefaultSeed);
