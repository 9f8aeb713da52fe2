namespace Alds.Engine.Calibration;

/// <summary>What a calibrated group error is relative to (<c>--calibration-norm</c>, docs/calibration.md).</summary>
public enum CalibrationNorm
{
    /// <summary><c>σ_1(F L)</c>: the specified measure, a layer's largest response on the calibration data.</summary>
    Spectral,

    /// <summary>
    /// <c>‖F L‖_F</c>: the layer's whole output energy on the calibration data (root mean square over the vectors, times
    /// √out). Not dominated by the response to the mean input, which under the uncentred moment makes σ_1 large and the
    /// relative errors of nearly low-rank layers small.
    /// </summary>
    Frobenius,

    /// <summary>
    /// <c>σ_1(F L_c)</c>, <c>L_c L_cᵀ = C' − μμᵀ</c> (the damped covariance): relative to the layer's response to the
    /// variation of its inputs, without the response to their mean that dominates <c>σ_1(F L)</c> in layers fed by
    /// ReLU/GELU outputs. The group errors are unchanged (uncentred: the mean response must be kept too).
    /// </summary>
    Centred,
}
