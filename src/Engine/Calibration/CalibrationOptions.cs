namespace Alds.Engine.Calibration;

/// <summary>How to calibrate (DESIGN §6).</summary>
/// <param name="ImagesDirectory">Folder of .png/.jpg/.jpeg images; null: the photographs of <see cref="Evaluation.EvalImageSet.DefaultDirectory"/>.</param>
/// <param name="Samples">Crops run through the model (round robin over the images).</param>
/// <param name="Lambda">Damping λ of <c>C_ii + λ·mean(diag C_ii)·I</c>.</param>
/// <param name="Seed">Seed of the crops (differs from <c>alds eval</c>'s default, so the same photographs give other crops).</param>
/// <param name="MemoryBudgetBytes">Moments accumulated at once; layers beyond it wait for another pass over the samples.</param>
public sealed record CalibrationOptions(string? ImagesDirectory = null, int Samples = 64, double Lambda = 1e-3, ulong Seed = 14,
    long MemoryBudgetBytes = 512L << 20);
