using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Linalg;

namespace Alds.Engine.Calibration;

/// <summary>
/// Data-aware error curves of one layer (DESIGN §6), scheme 0 (and linear layers):
/// <c>e(0,k,j) = max_i σ_{j+1}(G_i L_i) / σ_1(F L)</c>, with <c>L_i L_iᵀ = C'_ii = C_ii + λ·mean(diag C_ii)·I</c> and <c>L</c> the
/// whole layer's (the k = 1 group). The squared singular values are the eigenvalues of the smaller Gram: on the row
/// side <c>G_i C'_ii G_iᵀ</c> (m×m, two packed products, no factorisation), on the column side <c>(G_i L_i)ᵀ(G_i L_i)</c>
/// with <c>L_i</c> from <see cref="WhiteningFactor"/>. float64 throughout; the curves are exact to the Gram route's
/// rounding (about 1e-12 absolute above 1e-6). With <c>C = I</c> and λ = 0 they are the data-free curves to that rounding.
/// </summary>
internal static class CalibratedSpectra
{
    /// <param name="weight">canonical [out, in, kh, kw] (the scheme-0 fold), float64</param>
    /// <param name="moment">C of the layer's im2col patches, (in·kh·kw)² row-major, lower triangle</param>
    /// <param name="normalisation">σ_1(F L) (specified) or ‖F L‖_F (<see cref="CalibrationNorm"/>)</param>
    public static IReadOnlyList<SchemeOption> Analyze(LayerSpec layer, ReadOnlySpan<double> weight,
        ReadOnlySpan<double> moment, double lambda, IReadOnlyList<int> groupCounts, int threads, ref LayerWhitening report,
        CalibrationNorm normalisation = CalibrationNorm.Spectral, ReadOnlySpan<double> mean = default)
    {
        int m = layer.Out, total = layer.In * layer.Kh * layer.Kw;
        double scale = MomentBlocks.MeanDiagonal(moment, total);
        var sigma = new Dictionary<int, double[]>();
        foreach (var k in groupCounts.Append(1).Distinct().Order())
        {
            int n = total / k, r = Math.Min(m, n);
            var s = new double[k * r];
            for (int i = 0; i < k; i++)
                GroupSpectrum(weight[(i * n)..], MomentBlocks.Diagonal(moment, total, k, i), m, n, total, lambda, scale, threads, s.AsSpan(i * r, r), ref report);
            sigma[k] = s;
        }
        // σ(F L) is the whole spectrum of the k = 1 group (min(m, n) values): its root-sum-square is ‖F L‖_F.
        double norm = sigma[1].Length == 0 ? 0 : normalisation switch
        {
            CalibrationNorm.Spectral => sigma[1][0],
            CalibrationNorm.Frobenius => Math.Sqrt(sigma[1].Sum(v => v * v)),
            _ => CentredNorm(weight, moment, mean, m, total, lambda * WhiteningFactor.DampingScale(moment, total, scale), threads),
        };
        return groupCounts.Distinct().Order().Select(k => CpuSpectralBackend.Curves(FoldScheme.KernelEncode, k, norm, sigma[k], Math.Min(m, total / k))).ToList();
    }

    /// <summary><c>√λ_max(F (C + δI − μμᵀ) Fᵀ)</c> by two packed products and the m×m eigenvalues.</summary>
    private static unsafe double CentredNorm(ReadOnlySpan<double> f, ReadOnlySpan<double> moment, ReadOnlySpan<double> mean, int m, int n,
        double delta, int threads)
    {
        if (mean.Length != n) throw new ArgumentException($"the centred normalisation needs the first moment ({n} values)", nameof(mean));
        var c = new double[(long)n * n];
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < a; b++) c[(long)a * n + b] = c[(long)b * n + a] = moment[a * n + b] - mean[a] * mean[b];
            c[(long)a * n + a] = moment[a * n + a] + delta - mean[a] * mean[a];
        }
        var t = new double[(long)m * n];
        var h = new double[(long)m * m];
        fixed (double* fp = f, cp = c, tp = t, hp = h)
        {
            var fv = MatrixView.Of(fp, m, n, n);
            PackedGemm.Multiply(fv, MatrixView.Of(cp, n, n, n), tp, n, threads);
            PackedGemm.Multiply(MatrixView.Of(tp, m, n, n), fv.Transpose(), hp, m, threads, lowerOnly: true);
        }
        var w = new double[m];
        SymmetricEigen.Values(h, m, w, threads);
        return Math.Sqrt(Math.Max(w[0], 0));
    }

    /// <summary>σ(G L) descending (r = min(m, n) values) of the group <c>G</c> (m×n, row stride <paramref name="ld"/>).</summary>
    private static unsafe void GroupSpectrum(ReadOnlySpan<double> g, double[] block, int m, int n, int ld, double lambda, double scale,
        int threads, Span<double> sigma, ref LayerWhitening report)
    {
        int r = Math.Min(m, n);
        var gram = new double[(long)r * r];
        fixed (double* gp = g, hp = gram)
        {
            var gv = MatrixView.Of(gp, m, n, ld);
            if (m <= n)
            {
                double delta = lambda * WhiteningFactor.DampingScale(block, n, scale);
                for (int a = 0; a < n; a++)
                {
                    for (int b = 0; b < a; b++) block[(long)b * n + a] = block[(long)a * n + b];
                    block[(long)a * n + a] += delta;
                }
                var t = new double[(long)m * n];
                fixed (double* cp = block, tp = t)
                {
                    PackedGemm.Multiply(gv, MatrixView.Of(cp, n, n, n), tp, n, threads);               // T = G C'
                    PackedGemm.Multiply(MatrixView.Of(tp, m, n, n), gv.Transpose(), hp, m, threads, lowerOnly: true); // G C' Gᵀ
                }
            }
            else
            {
                var factor = WhiteningFactor.Create(block, n, lambda, scale, threads);
                report = report.Merge(factor);
                var y = new double[(long)m * n];
                factor.MultiplyRight(g, m, ld, y, n, threads);
                fixed (double* yp = y)
                {
                    var yv = MatrixView.Of(yp, m, n, n);
                    PackedGemm.Multiply(yv.Transpose(), yv, hp, n, threads, lowerOnly: true);        // (G L)ᵀ (G L)
                }
            }
        }
        sigma[..r].Clear();
        SymmetricEigen.Values(gram, r, sigma[..r], threads);
        for (int j = 0; j < r; j++) sigma[j] = Math.Sqrt(Math.Max(sigma[j], 0));
    }
}
