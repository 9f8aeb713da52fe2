namespace Alds.Engine.Calibration;

/// <summary>How to calibrate (DESIGN §6).</summary>
/// <param name="ImagesDirectory">Image models: folder of .png/.jpg/.jpeg images; null: the photographs of <see cref="Evaluation.EvalImageSet.DefaultDirectory"/>.</param>
/// <param name="Samples">Crops (image models, round robin over the images) or texts (text models) run through the model.</param>
/// <param name="Lambda">Damping λ of <c>C_ii + λ·mean(diag C_ii)·I</c>.</param>
/// <param name="Seed">Seed of the crops (differs from <c>alds eval</c>'s default, so the same photographs give other crops).</param>
/// <param name="MemoryBudgetBytes">Moments accumulated at once; layers beyond it wait for another pass over the samples.</param>
/// <param name="TextsFile">Text models: one text a line; null: Debian's fortunes. Texts are drawn from the tail of the
/// permutation <c>alds eval</c> draws from the head of (<see cref="Evaluation.CorpusEnd"/>).</param>
/// <param name="Vocab">Text models: the WordPiece vocabulary; null: <c>vocab.txt</c> beside the model.</param>
public sealed record CalibrationOptions(string? ImagesDirectory = null, int Samples = 64, double Lambda = 1e-3, ulong Seed = 14,
    long MemoryBudgetBytes = 512L << 20, string? TextsFile = null, string? Vocab = null);
