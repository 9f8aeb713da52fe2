namespace Alds.Engine.Gpu;

/// <summary>
/// Rank-<see cref="Rank"/> factors of every channel group <c>G_i ≈ D_i E_i</c> (DESIGN §1):
/// <c>D_i = U_i √Σ_i</c> (<see cref="M"/> × rank, row-major) and <c>E_i = √Σ_i V_iᵀ</c>
/// (rank × <see cref="N"/>, row-major); <see cref="SingularValues"/> holds the top rank values per group.
/// </summary>
internal sealed record GroupFactors(
    int Scheme, int Groups, int Rank, int M, int N,
    double[][] Decoders, double[][] Encoders, double[][] SingularValues);
