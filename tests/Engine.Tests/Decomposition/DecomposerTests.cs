using Alds.Engine.Analysis;
using Alds.Engine.Decomposition;
using Alds.Engine.Layers;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Decomposition;

public class DecomposerTests
{
    private static double[] RandomWeight(LayerSpec l, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)l.Params).Select(_ => rng.NextDouble() - 0.5).ToArray();
    }

    [TestCase(0)] [TestCase(1)] [TestCase(2)] [TestCase(3)]
    public void Factorize_FullRank_ReconstructsWeight(int scheme)
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 6, 4, 3, 2, "c.weight", null);
        var w = RandomWeight(layer, scheme);
        var fold = new Fold(scheme, 6, 4, 3, 2);
        int k = 2, n = fold.Columns / k, rank = Math.Min(fold.Rows, n);
        var f = Decomposer.Factorize(layer, w, scheme, k, rank);
        var (ekh, ekw) = FoldScheme.EncoderKernel(scheme, 3, 2);
        var (dkh, dkw) = FoldScheme.DecoderKernel(scheme, 3, 2);
        Assert.That(f.Encoder, Has.Length.EqualTo(k * rank * (4 / k) * ekh * ekw));
        Assert.That(f.Decoder, Has.Length.EqualTo(6 * k * rank * dkh * dkw));
        var back = Decomposer.Reconstruct(f);
        for (int q = 0; q < w.Length; q++) Assert.That(back[q], Is.EqualTo(w[q]).Within(1e-12));
    }

    [TestCase(0, 4, 3)] [TestCase(1, 2, 2)] [TestCase(2, 1, 4)] [TestCase(3, 8, 1)] [TestCase(3, 2, 2)]
    public void Factorize_Truncated_MeasuredErrorBetweenBoundAndSqrtKBound(int scheme, int k, int rank)
    {
        var layer = new LayerSpec("c", LayerKind.Conv, 12, 8, 3, 3, "c.weight", null);
        var w = RandomWeight(layer, 10 + scheme);
        using var backend = new CpuSpectralBackend();
        var option = backend.AnalyzeLayer(layer, w, [scheme], [k])[0];
        double bound = option.ErrorsMax[rank - 1];
        var f = Decomposer.Factorize(layer, w, scheme, k, rank);
        double measured = ResidualMeasure.RelativeSpectralError(f, w);
        Assert.That(measured, Is.GreaterThanOrEqualTo(bound * (1 - 1e-9)));
        Assert.That(measured, Is.LessThanOrEqualTo(Math.Sqrt(k) * bound * (1 + 1e-9) + 1e-12));
        Assert.That(measured, Is.LessThanOrEqualTo(option.ErrorsRss[rank - 1] * (1 + 1e-9) + 1e-12));

        // Independent oracle: LAPACK on the residual of the canonical weights refolded.
        var fold = new Fold(scheme, 12, 8, 3, 3);
        var residual = new double[w.Length];
        var wf = new double[w.Length];
        fold.Apply(w, wf);
        fold.Apply(Decomposer.Reconstruct(f), residual);
        for (int q = 0; q < w.Length; q++) residual[q] = wf[q] - residual[q];
        double lapack = Lapack.SingularValues(residual, fold.Rows, fold.Columns)[0] / Lapack.SingularValues(wf, fold.Rows, fold.Columns)[0];
        Assert.That(measured, Is.EqualTo(lapack).Within(1e-10));
    }
}
