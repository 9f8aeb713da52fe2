using Alds.Engine.Decomposition;
using Alds.Engine.IO;
using Alds.Engine.Layers;
using Alds.Engine.Tensors;
using Alds.Engine.Tests.Oracles;

namespace Alds.Engine.Tests.Decomposition;

/// <summary>
/// The measured residual of a large one-group layer (above the exact limit, so measured by Lanczos without forming
/// the residual) against LAPACK's largest singular value of <c>W − D·E</c>, with the factors rounded to BF16 as the
/// writers store them: the figure must see the rounding, never exceed the truth, and never fall below the optimum.
/// </summary>
public class LargeResidualTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void OneGroup_Bf16Factors_MeasuredAgainstLapack(int groups)
    {
        Requires.Lapack();
        const int m = 600, n = 800, rank = 40;
        var layer = new LayerSpec("fc", LayerKind.Linear, m, n, 1, 1, "fc.weight", null);
        // Nearly rank 40 (plus 1e-6 noise): the optimal error is tiny, so what BF16 rounding adds dominates the residual.
        var rng = new Random(7);
        var a = Enumerable.Range(0, m * rank).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, rank * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var w = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int c = 0; c < n; c++)
            {
                double sum = 0;
                for (int r = 0; r < rank; r++) sum += a[i * rank + r] * b[r * n + c];
                w[i * n + c] = sum + 1e-6 * (rng.NextDouble() - 0.5);
            }
        var f = Decomposer.Factorize(layer, w, 0, groups, rank);
        foreach (var values in new[] { f.Encoder, f.Decoder })
        {
            var bytes = new byte[values.Length * 2];
            FloatCodec.Encode(DType.BF16, values, bytes);
            FloatCodec.Decode(DType.BF16, bytes, values);
        }
        var residual = Decomposer.Reconstruct(f);
        for (int i = 0; i < w.Length; i++) residual[i] = w[i] - residual[i];
        double whole = Lapack.SingularValues(w, m, n)[0];
        double truth = Lapack.SingularValues(residual, m, n)[0] / whole;

        double measured = ResidualMeasure.RelativeSpectralError(f, w);
        double optimal = f.TruncationError!.Value / whole;
        Assert.That(truth, Is.GreaterThan(100 * optimal), "the rounding must dominate for this test to mean anything");
        Assert.That(measured, Is.LessThanOrEqualTo(truth * (1 + 1e-9)));
        Assert.That(measured, Is.GreaterThanOrEqualTo(0.9 * truth));
        Assert.That(measured, Is.GreaterThanOrEqualTo(optimal));
    }
}
