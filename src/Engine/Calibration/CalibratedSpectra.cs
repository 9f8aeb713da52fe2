using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Calibration;

/// <summary>
/// Data-aware error curves of one layer (DESIGN §6), scheme 0 (and linear layers):
/// <c>e(0,k,j) = max_i σ_{j+1}(G_i L_i) / σ_1(F L)</c>, with <c>L_i L_iᵀ = C_ii + λ·mean(diag C_ii)·I</c> and <c>L</c> the
/// whole layer's. For each k the whitened matrix <c>[G_1 L_1 … G_k L_k]</c> has the scheme-0 shape of the weight, so the
/// spectral backend's Gram route computes its group spectra unchanged; <c>σ_1(F L)</c> is the k = 1 option's norm.
/// With <c>C = I</c> and λ = 0 every <c>L_i</c> is exactly I and the curves are the data-free ones to 1e-12 (not bit for bit:
/// the backend sums coarse row Grams from the finest level it is asked for, and here it is asked one k at a time).
/// </summary>
public static class CalibratedSpectra
{
    /// <param name="weight">canonical [out, in, kh, kw] (the scheme-0 fold), float64</param>
    /// <param name="moment">C of the layer's im2col patches, (in·kh·kw)² row-major, lower triangle</param>
    public static IReadOnlyList<SchemeOption> Analyze(ISpectralBackend backend, LayerSpec layer, ReadOnlySpan<double> weight,
        ReadOnlySpan<double> moment, double lambda, IReadOnlyList<int> groupCounts, int threads, ref LayerWhitening report)
    {
        int m = layer.Out, total = layer.In * layer.Kh * layer.Kw;
        double scale = MomentBlocks.MeanDiagonal(moment, total);
        var whitened = new double[(long)m * total];
        var options = new List<SchemeOption>();
        double norm = 0;
        foreach (var k in groupCounts.Append(1).Distinct().Order())
        {
            Whiten(weight, moment, m, total, k, lambda, scale, whitened, threads, ref report);
            var option = backend.AnalyzeLayer(layer, whitened, [FoldScheme.KernelEncode], [k])[0];
            if (k == 1) norm = option.Norm;
            if (groupCounts.Contains(k)) options.Add(Renormalise(option, norm));
        }
        return options;
    }

    /// <summary><c>[G_1 L_1 … G_k L_k]</c> (m × total, row-major) into <paramref name="whitened"/>.</summary>
    public static void Whiten(ReadOnlySpan<double> weight, ReadOnlySpan<double> moment, int m, int total, int k, double lambda,
        double scale, Span<double> whitened, int threads, ref LayerWhitening report)
    {
        int n = total / k;
        for (int i = 0; i < k; i++)
        {
            var factor = WhiteningFactor.Create(MomentBlocks.Diagonal(moment, total, k, i), n, lambda, scale, threads);
            report = report.Merge(factor);
            factor.MultiplyRight(weight[(i * n)..], m, total, whitened[(i * n)..], total, threads);
        }
    }

    // The backend divided by σ_1 of the block-whitened matrix at this k; the objective's denominator is σ_1(F L).
    private static SchemeOption Renormalise(SchemeOption o, double norm)
    {
        if (o.Norm == norm || norm == 0) return o with { Norm = norm };
        double f = o.Norm / norm;
        return o with
        {
            Norm = norm,
            ErrorsMax = Array.ConvertAll(o.ErrorsMax, e => e * f),
            ErrorsRss = Array.ConvertAll(o.ErrorsRss, e => e * f),
        };
    }
}
