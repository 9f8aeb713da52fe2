using Alds.Engine.Decomposition;
using Alds.Engine.Planning;

namespace Alds.Engine.Calibration;

/// <summary>
/// Data-aware factors for <see cref="PlanFactorizer"/>: each layer's moment read from the store when its turn comes.
/// <paramref name="dataFreePlan"/>: the (k, j) came from the data-free curves, so the plan's norm is <c>σ_1(F)</c> and the
/// whitened one is computed here.
/// </summary>
public sealed class CalibratedFactorizer(MomentStore store, double lambda, bool dataFreePlan = false) : ILayerFactorizer
{
    /// <inheritdoc />
    public FactorizedLayer Factorize(LayerChoice choice, ReadOnlySpan<double> weight, int threads)
    {
        if (choice.Scheme != Analysis.FoldScheme.KernelEncode)
            throw new InvalidOperationException($"layer '{choice.Layer.Name}': data-aware factors exist for scheme 0 only");
        return WhitenedDecomposer.Factorize(choice.Layer, weight, Read(choice), lambda, choice.Groups, choice.Rank, threads);
    }

    /// <inheritdoc />
    public (double plain, double whitened) Measure(LayerChoice choice, FactorizedLayer factors, ReadOnlySpan<double> weight)
    {
        double plain = ResidualMeasure.RelativeSpectralError(factors, weight);
        var moment = Read(choice);
        double norm = dataFreePlan ? WhitenedResidual.Norm(choice.Layer, weight, moment, lambda)
            : choice.Norm ?? throw new InvalidOperationException($"layer '{choice.Layer.Name}': the plan carries no norm");
        return (plain, WhitenedResidual.Relative(factors, weight, moment, lambda, norm));
    }

    private double[] Read(LayerChoice choice)
    {
        var l = choice.Layer;
        return store.TryRead(l.Name, l.In * l.Kh * l.Kw)?.moment
            ?? throw new ModelFormatException($"{store.Directory}: the calibration statistics of layer '{l.Name}' are missing or unreadable");
    }
}
