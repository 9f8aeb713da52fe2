namespace Alds.Engine.Evaluation;

/// <summary>What an evaluation reads and how long it times.</summary>
/// <param name="ImagesDirectory">Folder of .png/.jpg/.jpeg images; null: the photographs of <see cref="EvalImageSet.DefaultDirectory"/>.</param>
/// <param name="Crops">Random square crops per image (≥ 1).</param>
/// <param name="Runs">Timed runs per model (≥ 1), after <paramref name="WarmupRuns"/> untimed ones.</param>
/// <param name="Seed">Seed of the crops.</param>
/// <param name="PreprocessModel">A preprocessing ONNX model to run before both models; null: the companion if any, else ImageNet normalisation.</param>
/// <param name="Batch">Crops stacked per run, for the comparison and the timing (≥ 1); the metrics are per crop whatever the batch.</param>
public sealed record EvalOptions(
    string? ImagesDirectory = null,
    int Crops = 4,
    int Runs = 20,
    int WarmupRuns = 3,
    ulong Seed = 20261127,
    string? PreprocessModel = null,
    int Batch = 1);
