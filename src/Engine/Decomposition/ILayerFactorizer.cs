using Alds.Engine.Planning;

namespace Alds.Engine.Decomposition;

/// <summary>
/// Replaces <see cref="Decomposer"/> in <see cref="PlanFactorizer"/> when the factors depend on more than the weight
/// (data-aware ALDS: DESIGN §6). Called from several threads at once, one layer each.
/// </summary>
public interface ILayerFactorizer
{
    /// <summary>The chosen layer's factors in the <see cref="Decomposer"/> layout.</summary>
    FactorizedLayer Factorize(LayerChoice choice, ReadOnlySpan<double> weight, int threads);

    /// <summary>The measured residuals of the (rounded) factors: plain <c>‖F − F̂‖₂/‖F‖₂</c> and the data-aware one.</summary>
    (double plain, double whitened) Measure(LayerChoice choice, FactorizedLayer factors, ReadOnlySpan<double> weight);
}
