using System.Numerics.Tensors;
using Alds.Engine.Linalg;

namespace Alds.Engine.Calibration;

/// <summary>
/// The whitening factor of one input block: <c>L Lᵀ = C + δ·I</c> with <c>δ = λ·mean(diag C)</c> (DESIGN §6), so that
/// <c>σ(G L)</c> is the spectrum of the block's output contribution on the calibration data.
/// </summary>
/// <remarks>
/// Cholesky in float64 at λ; when a pivot fails, λ is raised tenfold up to <see cref="MaxRaises"/> times; if all fail,
/// the eigenvalue square root <c>L = Q·diag(√max(μ, δ))</c>. A block whose diagonal is all zero (an input that is always 0)
/// is damped relative to the fallback scale instead (the layer's mean diagonal), so that <c>L</c> stays invertible.
/// </remarks>
internal sealed class WhiteningFactor
{
    /// <summary>Tenfold raises of λ tried after the first Cholesky fails.</summary>
    public const int MaxRaises = 3;

    private readonly double[]? _inverse;

    private WhiteningFactor(int order, double[] factor, double[]? inverse, WhiteningMethod method, double lambda)
    {
        Order = order; Factor = factor; _inverse = inverse; Method = method; Lambda = lambda;
    }

    /// <summary>n.</summary>
    public int Order { get; }

    /// <summary><c>L</c>, n×n row-major (lower triangular unless <see cref="Method"/> is the eigen square root).</summary>
    public double[] Factor { get; }

    public WhiteningMethod Method { get; }

    /// <summary>The damping λ finally used.</summary>
    public double Lambda { get; }

    /// <param name="moment">C, n×n row-major (lower triangle read); not modified.</param>
    /// <param name="fallbackScale">Mean diagonal to damp by when this block's own is zero (1 when that is zero too).</param>
    public static WhiteningFactor Create(ReadOnlySpan<double> moment, int n, double lambda, double fallbackScale, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        double mean = DampingScale(moment, n, fallbackScale);
        var work = new double[(long)n * n];
        for (int raise = 0; raise <= MaxRaises; raise++)
        {
            double l = raise == 0 ? lambda : Math.Max(lambda, 1e-12) * Math.Pow(10, raise);
            Damped(moment, n, l * mean, work);
            if (Cholesky.TryFactor(work, n, threads))
                return new WhiteningFactor(n, work, null, raise == 0 ? WhiteningMethod.Cholesky : WhiteningMethod.CholeskyRaisedDamping, l);
        }
        return EigenRoot(moment, n, lambda, Math.Max(lambda, 1e-12) * mean, threads);
    }

    /// <summary>The scale that λ multiplies: mean(diag C), else <paramref name="fallbackScale"/>, else 1.</summary>
    public static double DampingScale(ReadOnlySpan<double> moment, int n, double fallbackScale)
    {
        double mean = 0;
        for (int i = 0; i < n; i++) mean += moment[i * n + i];
        mean /= Math.Max(1, n);
        return mean > 0 ? mean : fallbackScale > 0 ? fallbackScale : 1;
    }

    private static void Damped(ReadOnlySpan<double> moment, int n, double delta, Span<double> work)
    {
        for (int i = 0; i < n; i++)
        {
            moment.Slice(i * n, i + 1).CopyTo(work.Slice(i * n, i + 1));
            work[i * n + i] += delta;
        }
    }

    // C is symmetric, so its SVD is its eigendecomposition up to signs: C = Q diag(|μ|) Qᵀ with Q the left vectors.
    // Negative or tiny eigenvalues (rounding of a sum of outer products) are raised to the floor δ.
    private static WhiteningFactor EigenRoot(ReadOnlySpan<double> moment, int n, double lambda, double floor, int threads)
    {
        var full = new double[(long)n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) full[i * n + j] = full[j * n + i] = moment[i * n + j];
        var svd = TruncatedSvd.Compute(full, n, n, n, n, threads);
        var factor = new double[(long)n * n];
        var inverse = new double[(long)n * n];
        for (int r = 0; r < n; r++)
        {
            // Sign of the eigenvalue: u_rᵀ C u_r.
            double value = svd.S[r] * Math.Sign(Dot(svd.U, n, r, svd.Vt));
            double root = Math.Sqrt(Math.Max(value, floor));
            for (int i = 0; i < n; i++)
            {
                factor[i * n + r] = svd.U[i * n + r] * root;   // L = Q diag(√μ)
                inverse[r * n + i] = svd.U[i * n + r] / root;  // L⁻¹ = diag(1/√μ) Qᵀ
            }
        }
        return new WhiteningFactor(n, factor, inverse, WhiteningMethod.EigenSquareRoot, lambda);

        static double Dot(double[] u, int n, int r, double[] vt)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += u[i * n + r] * vt[r * n + i];
            return s;
        }
    }

    /// <summary><c>Y = G L</c>: G is m×n (row stride ldg), Y m×n (row stride ldy). float64, one packed product.</summary>
    public unsafe void MultiplyRight(ReadOnlySpan<double> g, int m, int ldg, Span<double> y, int ldy, int threads)
    {
        int n = Order;
        if (m == 0 || n == 0) return;
        fixed (double* gp = g, fp = Factor, yp = y)
            PackedGemm.Multiply(MatrixView.Of(gp, m, n, ldg), MatrixView.Of(fp, n, n, n), yp, ldy, threads);
    }

    /// <summary><c>B ← B L⁻¹</c> for the rows×n row-major B: a triangular solve (or the eigen root's inverse).</summary>
    public unsafe void SolveRight(Span<double> b, int rows, int threads)
    {
        int n = Order;
        if (_inverse is null) { Cholesky.SolveRightLower(b, rows, n, Factor, threads); return; }
        var x = b[..(rows * n)].ToArray();
        fixed (double* xp = x, ip = _inverse, bp = b)
            PackedGemm.Multiply(MatrixView.Of(xp, rows, n, n), MatrixView.Of(ip, n, n, n), bp, n, threads);
    }
}
