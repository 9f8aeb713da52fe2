using System.Numerics.Tensors;

namespace Alds.Engine.Linalg;

/// <summary>
/// Eigenvectors of a symmetric tridiagonal matrix for chosen eigenvalues, by inverse iteration
/// (LAPACK dstein's method: LU with partial pivoting of <c>T − λI</c>, seeded random starts, Gram–Schmidt within
/// clusters of close eigenvalues).
/// </summary>
/// <remarks>
/// Cost O(n) per vector and iteration (2–5 iterations), plus O(n·c) per vector for a cluster of c close eigenvalues.
/// Precision: with eigenvalues accurate to a few eps·‖T‖ (as <see cref="TridiagonalEigen.Values"/> gives them),
/// each vector's residual is O(eps·‖T‖) and its angle to the true eigenvector O(eps·‖T‖/gap); eigenvalues closer
/// than <see cref="ClusterTolerance"/>·‖T‖ form a cluster whose vectors are orthogonalised against each other on
/// every iteration, so vectors are orthogonal to about eps/<see cref="ClusterTolerance"/> (≈ 2e-11) across clusters
/// and to rounding within one. Every vector depends only on its own index and eigenvalue and on the earlier members
/// of its cluster: results are identical whatever the caller parallelises.
/// </remarks>
internal static class TridiagonalVectors
{
    /// <summary>Eigenvalues closer than this times ‖T‖₁ are one cluster.</summary>
    internal const double ClusterTolerance = 1e-5;

    private const double Eps = 2.220446049250313e-16;

    /// <summary>
    /// For the eigenvalues <paramref name="lambda"/> (descending or ascending, but sorted) of the tridiagonal
    /// (diagonal <paramref name="d"/>, off-diagonal <paramref name="e"/>, n−1 entries), writes unit eigenvectors as
    /// the rows of <paramref name="z"/> (lambda.Length × n, row-major).
    /// </summary>
    public static void Compute(ReadOnlySpan<double> d, ReadOnlySpan<double> e, int n, ReadOnlySpan<double> lambda, Span<double> z)
    {
        int count = lambda.Length;
        if (z.Length < (long)count * n) throw new ArgumentException($"z holds {z.Length}; {count} vectors of order {n} need {(long)count * n}", nameof(z));
        if (count == 0 || n == 0) return;
        if (n == 1) { for (int r = 0; r < count; r++) z[r] = 1; return; }
        double norm = 0;
        for (int i = 0; i < n; i++)
            norm = Math.Max(norm, Math.Abs(d[i]) + (i > 0 ? Math.Abs(e[i - 1]) : 0) + (i < n - 1 ? Math.Abs(e[i]) : 0));
        if (norm == 0)
        {
            for (int r = 0; r < count; r++) z[r * n + Math.Min(r, n - 1)] = 1; // T = 0: the unit vectors (count ≤ n)
            return;
        }
        double tolerance = ClusterTolerance * norm;
        double tiny = Eps * norm;
        var lu = new Factors(n);
        int clusterStart = 0;
        for (int r = 0; r < count; r++)
        {
            if (r > 0 && Math.Abs(lambda[r] - lambda[r - 1]) > tolerance) clusterStart = r;
            // Equal shifts inside a cluster are separated slightly, as dstein does, so the factorisations differ.
            double shift = lambda[r];
            if (r > clusterStart && Math.Abs(shift - lambda[r - 1]) < 10 * tiny)
                shift = lambda[r - 1] + 10 * tiny * (r - clusterStart);
            lu.Factor(d, e, shift, tiny);
            var x = z.Slice(r * n, n);
            Start(x, r);
            double threshold = 1e-3 / (n * Eps);
            for (int iteration = 0, converged = 0; iteration < 5; iteration++)
            {
                double scale = 1 / TensorPrimitives.Norm<double>(x);
                TensorPrimitives.Multiply(x, scale, x);
                lu.Solve(x);
                for (int t = clusterStart; t < r; t++) // modified Gram–Schmidt against the cluster's earlier vectors
                {
                    var q = z.Slice(t * n, n);
                    TensorPrimitives.MultiplyAdd(q, -TensorPrimitives.Dot<double>(q, x), x, x);
                }
                double growth = TensorPrimitives.MaxMagnitude<double>(x);
                if (growth >= threshold && ++converged >= 2) break;
            }
            double length = TensorPrimitives.Norm<double>(x);
            if (!(length > 0) || !double.IsFinite(length)) throw new ArithmeticException($"inverse iteration failed for eigenvalue {r} of order {n}");
            TensorPrimitives.Divide(x, length, x);
            // A sign convention makes the vectors independent of the start: largest component positive.
            int big = TensorPrimitives.IndexOfMaxMagnitude<double>(x);
            if (x[big] < 0) TensorPrimitives.Negate(x, x);
        }
    }

    // A fixed pseudo-random start per vector index (deterministic, no shared generator).
    private static void Start(Span<double> x, int index)
    {
        ulong s = 0x9E3779B97F4A7C15UL * (ulong)(index + 1) ^ 0xD1B54A32D192ED03UL;
        for (int i = 0; i < x.Length; i++)
        {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            x[i] = (s >> 11) * (1.0 / (1UL << 53)) - 0.5;
        }
    }

    /// <summary>LU factors of <c>T − λI</c> with partial pivoting (dlagtf), zero pivots replaced by ±tiny.</summary>
    private sealed class Factors(int n)
    {
        private readonly double[] _u0 = new double[n], _u1 = new double[n], _u2 = new double[n], _l = new double[n];
        private readonly bool[] _swap = new bool[n];

        public void Factor(ReadOnlySpan<double> d, ReadOnlySpan<double> e, double lambda, double tiny)
        {
            double a = d[0] - lambda, b = e[0];
            for (int i = 0; i < n - 1; i++)
            {
                double c = e[i], next = d[i + 1] - lambda, nextB = i + 1 < n - 1 ? e[i + 1] : 0;
                if (Math.Abs(a) >= Math.Abs(c))
                {
                    if (a == 0) a = tiny;
                    _swap[i] = false;
                    _l[i] = c / a;
                    _u0[i] = a; _u1[i] = b; _u2[i] = 0;
                    a = next - _l[i] * b;
                    b = nextB;
                }
                else
                {
                    _swap[i] = true;
                    _l[i] = a / c;
                    _u0[i] = c; _u1[i] = next; _u2[i] = nextB;
                    a = b - _l[i] * next;
                    b = -_l[i] * nextB;
                }
            }
            _u0[n - 1] = a == 0 ? tiny : a;
        }

        /// <summary>x ← (T − λI)⁻¹ x, rescaled as it goes so nothing overflows (the result's direction is exact).</summary>
        public void Solve(Span<double> x)
        {
            for (int i = 0; i < n - 1; i++)
            {
                if (_swap[i]) (x[i], x[i + 1]) = (x[i + 1], x[i]);
                x[i + 1] -= _l[i] * x[i];
            }
            const double Limit = 1e150, Down = 1e-150;
            x[n - 1] /= _u0[n - 1];
            for (int i = n - 2; i >= 0; i--)
            {
                double v = (x[i] - _u1[i] * x[i + 1] - (i + 2 < n ? _u2[i] * x[i + 2] : 0)) / _u0[i];
                if (Math.Abs(v) > Limit)
                {
                    // Scale the whole system: the solved part and the right-hand side still to be used.
                    TensorPrimitives.Multiply(x, Down, x);
                    v = (x[i] - _u1[i] * x[i + 1] - (i + 2 < n ? _u2[i] * x[i + 2] : 0)) / _u0[i];
                }
                x[i] = v;
            }
        }
    }
}
