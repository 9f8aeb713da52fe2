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
}
