using Alds.Engine.Analysis;
using Alds.Engine.Calibration;
using Alds.Engine.Decomposition;
using Alds.Engine.Layers;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Calibration;

public class WhiteningTests
{
    private static readonly LayerSpec Conv = new("conv", LayerKind.Conv, 10, 4, 3, 3, "conv.weight", null);
    private static readonly LayerSpec Linear = new("fc", LayerKind.Linear, 12, 30, 1, 1, "fc.weight", null);

    private static double[] Identity(int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++) c[i * n + i] = 1;
        return c;
    }

    private static LayerWhitening Report(LayerSpec l) => new(l.Name, l.In * l.Kh * l.Kw, 1000, WhiteningMethod.Cholesky, 0);

    private static IReadOnlyList<SchemeOption> Calibrated(LayerSpec layer, double[] w, double[] c, double lambda)
    {
        var report = Report(layer);
        return CalibratedSpectra.Analyze(layer, w, c, lambda, GroupCounts.Candidates(layer, 0), 2, ref report);
    }

    // Not bit for bit: the calibrated Grams are G·C'·Gᵀ by two packed products, the backend's G·Gᵀ by its own kernels
    // and level sums. The same figures to 1e-12.
    [Test]
    public void Analyze_IdentityMomentNoDamping_DataFreeCurvesTo1e12([Values] bool linear)
    {
        var layer = linear ? Linear : Conv;
        var w = CalibrationMath.Random((int)layer.Params, 1);
        int n = layer.In * layer.Kh * layer.Kw;
        using var backend = new CpuSpectralBackend();
        var free = backend.AnalyzeLayer(layer, w, [0], GroupCounts.Candidates(layer, 0));
        var calibrated = Calibrated(layer, w, Identity(n), 0);
        Assert.That(calibrated, Has.Count.EqualTo(free.Count));
        for (int o = 0; o < free.Count; o++)
        {
            Assert.That(calibrated[o].Groups, Is.EqualTo(free[o].Groups));
            Assert.That(calibrated[o].Norm, Is.EqualTo(free[o].Norm).Within(1e-12 * free[o].Norm));
            for (int j = 0; j < free[o].MaxRank; j++)
            {
                Assert.That(calibrated[o].ErrorsMax[j], Is.EqualTo(free[o].ErrorsMax[j]).Within(1e-12));
                Assert.That(calibrated[o].ErrorsRss[j], Is.EqualTo(free[o].ErrorsRss[j]).Within(1e-12));
            }
        }
    }

    [Test]
    public void Analyze_IdentityMomentDefaultDamping_DataFreeCurvesTo1e12()
    {
        var w = CalibrationMath.Random((int)Conv.Params, 2);
        using var backend = new CpuSpectralBackend();
        var free = backend.AnalyzeLayer(Conv, w, [0], GroupCounts.Candidates(Conv, 0));
        var calibrated = Calibrated(Conv, w, Identity(36), 1e-3);
        for (int o = 0; o < free.Count; o++)
            for (int j = 0; j < free[o].MaxRank; j++)
                Assert.That(calibrated[o].ErrorsMax[j], Is.EqualTo(free[o].ErrorsMax[j]).Within(1e-12));
    }

    // Oracle: σ(G_i L_i) = √eig(G_i (C_ii + δ_i I) G_iᵀ) by LAPACK dsyevd on a triple-loop product; σ_1(F L) likewise.
    [Test]
    public void Analyze_CorrelatedMoment_MatchesLapackOracle([Values(1e-3, 0.1)] double lambda, [Values(5, 200)] int samples)
    {
        Requires.Lapack();
        var layer = Conv;
        int m = layer.Out, total = 36;
        var w = CalibrationMath.Random((int)layer.Params, 3);
        var c = CalibrationMath.Moment(total, samples, 4); // 5 samples < 36: rank-deficient, λ holds it
        var options = Calibrated(layer, w, c, lambda);
        double norm = CalibrationMath.WhitenedSingularValues(w, CalibrationMath.Block(c, total, 0, total, lambda * CalibrationMath.MeanDiagonal(c, total)), m, total)[0];
        foreach (var o in options)
        {
            int n = total / o.Groups;
            Assert.That(o.Norm, Is.EqualTo(norm).Within(1e-11 * norm));
            var sigmas = Enumerable.Range(0, o.Groups).Select(i =>
            {
                double delta = lambda * CalibrationMath.MeanDiagonal(c, total, i * n, n);
                return CalibrationMath.WhitenedSingularValues(CalibrationMath.Columns(w, m, total, i * n, n), CalibrationMath.Block(c, total, i * n, n, delta), m, n);
            }).ToArray();
            for (int j = 1; j < o.MaxRank; j++)
            {
                double expected = sigmas.Max(s => s[j]) / norm;
                Assert.That(o.ErrorsMax[j - 1], Is.EqualTo(expected).Within(1e-9), $"k={o.Groups} j={j}");
            }
        }
    }

    // Oracle: ‖F L‖_F² = trace(F C' Fᵀ) by a triple loop over the damped moment; the curves are the spectral ones rescaled.
    [Test]
    public void Analyze_FrobeniusNorm_CurvesRelativeToTraceOfFCFt()
    {
        var layer = Conv;
        int m = layer.Out, total = 36;
        var w = CalibrationMath.Random((int)layer.Params, 6);
        var c = CalibrationMath.Moment(total, 50, 7);
        var full = CalibrationMath.Block(c, total, 0, total, 1e-3 * CalibrationMath.MeanDiagonal(c, total));
        double trace = 0;
        for (int o = 0; o < m; o++)
            for (int a = 0; a < total; a++)
                for (int b = 0; b < total; b++) trace += w[o * total + a] * full[a * total + b] * w[o * total + b];
        var spectral = Calibrated(layer, w, c, 1e-3);
        var report = Report(layer);
        var frobenius = CalibratedSpectra.Analyze(layer, w, c, 1e-3, GroupCounts.Candidates(layer, 0), 2, ref report, CalibrationNorm.Frobenius);
        for (int k = 0; k < spectral.Count; k++)
        {
            Assert.That(frobenius[k].Norm, Is.EqualTo(Math.Sqrt(trace)).Within(1e-10 * Math.Sqrt(trace)));
            for (int j = 0; j < spectral[k].MaxRank; j++)
                Assert.That(frobenius[k].ErrorsMax[j], Is.EqualTo(spectral[k].ErrorsMax[j] * spectral[k].Norm / frobenius[k].Norm).Within(1e-12));
        }
    }

    // Oracle: σ_1(F S^{1/2}) with S = C + δI − μμᵀ built from the samples themselves (LAPACK); inputs with a large mean,
    // so the centred norm is well below the uncentred one, and the curves are the spectral ones rescaled.
    [Test]
    public void Analyze_CentredNorm_IsLargestSingularValueOverTheCovariance()
    {
        Requires.Lapack();
        var layer = Conv;
        int m = layer.Out, n = 36, p = 80;
        var w = CalibrationMath.Random((int)layer.Params, 8);
        var x = CalibrationMath.Random(n * p, 9);
        for (int i = 0; i < x.Length; i++) x[i] += 3;
        var c = new double[n * n];
        var mean = new double[n];
        for (int a = 0; a < n; a++)
        {
            for (int t = 0; t < p; t++) mean[a] += x[a * p + t] / p;
            for (int b = 0; b < n; b++)
                for (int t = 0; t < p; t++) c[a * n + b] += x[a * p + t] * x[b * p + t] / p;
        }
        double delta = 1e-3 * CalibrationMath.MeanDiagonal(c, n);
        var covariance = CalibrationMath.Block(c, n, 0, n, delta);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) covariance[a * n + b] -= mean[a] * mean[b];
        double expected = CalibrationMath.WhitenedSingularValues(w, covariance, m, n)[0];
        var spectral = Calibrated(layer, w, c, 1e-3);
        var report = Report(layer);
        var centred = CalibratedSpectra.Analyze(layer, w, c, 1e-3, GroupCounts.Candidates(layer, 0), 2, ref report, CalibrationNorm.Centred, mean);
        Assert.That(expected, Is.LessThan(0.5 * spectral[0].Norm), "the mean dominates the uncentred norm");
        for (int k = 0; k < spectral.Count; k++)
        {
            Assert.That(centred[k].Norm, Is.EqualTo(expected).Within(1e-10 * expected));
            for (int j = 0; j < spectral[k].MaxRank; j++)
                Assert.That(centred[k].ErrorsMax[j], Is.EqualTo(spectral[k].ErrorsMax[j] * spectral[k].Norm / centred[k].Norm).Within(1e-12));
        }
    }

    [Test]
    public void Factorize_IdentityMomentNoDamping_DecomposerFactorsBitForBit([Values(1, 2, 4)] int groups)
    {
        var w = CalibrationMath.Random((int)Conv.Params, 5);
        var free = Decomposer.Factorize(Conv, w, 0, groups, 3, 1);
        var white = WhitenedDecomposer.Factorize(Conv, w, Identity(36), 0, groups, 3, 2);
        Assert.That(white.Encoder, Is.EqualTo(free.Encoder));
        Assert.That(white.Decoder, Is.EqualTo(free.Decoder));
    }

    // Each group's whitened residual ‖(G_i − D_i E_i) L_i‖₂ is the optimum σ_{j+1}(G_i L_i) (Eckart–Young), by the oracle.
    [Test]
    public void Factorize_CorrelatedMoment_GroupResidualIsWhitenedOptimum([Values(1, 2, 4)] int groups, [Values(1, 4)] int rank)
    {
        Requires.Lapack();
        int m = Conv.Out, total = 36, n = total / groups;
        const double lambda = 1e-3;
        var w = CalibrationMath.Random((int)Conv.Params, 6);
        var c = CalibrationMath.Moment(total, 50, 7);
        var f = WhitenedDecomposer.Factorize(Conv, w, c, lambda, groups, rank, 2);
        var back = Decomposer.ReconstructFolded(f);
        for (int i = 0; i < groups; i++)
        {
            var g = CalibrationMath.Columns(w, m, total, i * n, n);
            var r = CalibrationMath.Columns(back, m, total, i * n, n);
            for (int q = 0; q < r.Length; q++) r[q] = g[q] - r[q];
            var block = CalibrationMath.Block(c, total, i * n, n, lambda * CalibrationMath.MeanDiagonal(c, total, i * n, n));
            double optimum = CalibrationMath.WhitenedSingularValues(g, block, m, n)[rank];
            double residual = CalibrationMath.WhitenedSingularValues(r, block, m, n)[0];
            Assert.That(residual, Is.EqualTo(optimum).Within(1e-9 * optimum), $"group {i}");
        }
    }

    [Test]
    public void WhitenedResidual_OneGroup_EqualsPlannedError()
    {
        var w = CalibrationMath.Random((int)Conv.Params, 8);
        var c = CalibrationMath.Moment(36, 80, 9);
        var options = Calibrated(Conv, w, c, 1e-3);
        var k1 = options.Single(o => o.Groups == 1);
        var f = WhitenedDecomposer.Factorize(Conv, w, c, 1e-3, 1, 4, 2);
        Assert.That(WhitenedResidual.Relative(f, w, c, 1e-3, k1.Norm), Is.EqualTo(k1.ErrorsMax[3]).Within(1e-8));
    }

    [Test]
    public void WhitenedNorm_IsTheOneGroupNorm()
    {
        var w = CalibrationMath.Random((int)Conv.Params, 13);
        var c = CalibrationMath.Moment(36, 60, 14);
        var k1 = Calibrated(Conv, w, c, 1e-3).Single(o => o.Groups == 1);
        Assert.That(WhitenedResidual.Norm(Conv, w, c, 1e-3), Is.EqualTo(k1.Norm).Within(1e-9 * k1.Norm));
    }

    [Test]
    public void Create_IndefiniteBlock_FallsBackToEigenSquareRoot()
    {
        int n = 6;
        var c = CalibrationMath.Moment(n, 20, 10);
        c[2 * n + 2] = -50; // far from a second moment: no damping up to 1 rescues it
        var f = WhiteningFactor.Create(c, n, 1e-3, 1, 1);
        Assert.That(f.Method, Is.EqualTo(WhiteningMethod.EigenSquareRoot));
        // L⁻¹ undoes L: (G L) L⁻¹ = G.
        var g = CalibrationMath.Random(3 * n, 11);
        var gl = new double[3 * n];
        f.MultiplyRight(g, 3, n, gl, n, 1);
        f.SolveRight(gl, 3, 1);
        for (int q = 0; q < g.Length; q++) Assert.That(gl[q], Is.EqualTo(g[q]).Within(1e-9));
    }

    [Test]
    public void Create_SingularBlockWithoutDamping_RaisesDamping()
    {
        int n = 8;
        var c = CalibrationMath.Moment(n, 2, 12); // rank 2
        var f = WhiteningFactor.Create(c, n, 0, 1, 1);
        Assert.That(f.Method, Is.EqualTo(WhiteningMethod.CholeskyRaisedDamping));
        Assert.That(f.Lambda, Is.GreaterThan(0));
    }

    [Test]
    public void Create_ZeroBlock_DampsByFallbackScale()
    {
        var f = WhiteningFactor.Create(new double[16], 4, 1e-2, 4, 1);
        Assert.That(f.Method, Is.EqualTo(WhiteningMethod.Cholesky));
        Assert.That(f.Factor[0], Is.EqualTo(Math.Sqrt(0.04)).Within(1e-15));
    }
}
