namespace Alds.Engine.Calibration;

/// <summary>How a block's whitening factor <c>L</c> (<c>L Lᵀ = C + δ·I</c>) was obtained.</summary>
public enum WhiteningMethod
{
    /// <summary>Cholesky with the requested damping λ.</summary>
    Cholesky,
    /// <summary>Cholesky after the damping was raised (λ·10, λ·100, …): the block was numerically indefinite.</summary>
    CholeskyRaisedDamping,
    /// <summary>Cholesky failed at every damping: <c>L = Q·diag(√max(μ, δ))</c> from an eigendecomposition <c>C = Q diag(μ) Qᵀ</c>.</summary>
    EigenSquareRoot,
}
