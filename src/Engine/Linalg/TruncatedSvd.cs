using System.Numerics.Tensors;

namespace Alds.Engine.Linalg;

/// <summary>
/// The top-<see cref="Rank"/> singular triplets of a dense matrix: G ≈ U·diag(S)·Vᵀ.
/// </summary>
/// <remarks>
/// Method (the Gram route, about one Gram, one eigendecomposition and one GEMM): the smaller Gram (<c>G Gᵀ</c> or
/// <c>Gᵀ G</c>, float64, <see cref="SymmetricGram"/>), its Householder tridiagonal form (<see cref="TridiagonalReduction"/>), all eigenvalues
/// (<see cref="TridiagonalEigen.Values"/>), eigenvectors of the top j by inverse iteration
/// (<see cref="TridiagonalVectors"/>) back-transformed (<see cref="ReflectorProduct"/>), and the other side by one
/// product (<see cref="PackedGemm"/>): <c>B = UᵀG</c> (or <c>G V</c>), whose rows (columns) give σ and V (U).
/// Precision contract: the vectors from the Gram are orthonormal to ~1e-11; U·diag(S)·Vᵀ is the orthogonal
/// projection of G onto their span, so ‖G − U S Vᵀ‖_F is optimal within ~1e-9·‖G‖_F (up to the subspace's
/// sensitivity eps·σ₁²/(σ_j² − σ_{j+1}²)); σ_r is exact to ~eps·σ₁²/σ_r; the other side's vectors are unit and
/// orthogonal to ~eps·σ₁²/(σ_r σ_t). Singular values below the Gram route's floor √(p·eps)·σ₁ are returned as 0
/// with orthonormal completion vectors (their directions cannot be resolved from a Gram). S descends to rounding.
/// float32 input is widened exactly. Parallel on up to the given threads; results are bit-identical for any count.
/// </remarks>
internal sealed class TruncatedSvd
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>Rows m of G.</summary>
    public int Rows { get; }
    /// <summary>Columns n of G.</summary>
    public int Cols { get; }
    /// <summary>Number of triplets j.</summary>
    public int Rank { get; }
    /// <summary>Left singular vectors, Rows×Rank, row-major (column r is u_r); made from <see cref="UTransposed"/> on first use.</summary>
    public double[] U => _u ??= Transpose(UTransposed, Rank, Rows);
    /// <summary>Left singular vectors transposed, Rank×Rows, row-major (row r is u_rᵀ): how they are computed, without a copy.</summary>
    internal double[] UTransposed { get; }
    /// <summary>Singular values, descending, Rank entries.</summary>
    public double[] S { get; }
    /// <summary>Right singular vectors transposed, Rank×Cols, row-major (row r is v_rᵀ).</summary>
    public double[] Vt { get; }
    /// <summary>σ_{j+1} from the Gram's eigenvalues (0 at full rank): the optimal spectral error of the truncation.</summary>
    public double NextSingularValue { get; }
    /// <summary>σ₁ from the Gram's eigenvalues.</summary>
    public double LargestSingularValue { get; }

    private double[]? _u;

    private TruncatedSvd(int m, int n, int j, double[] ut, double[] s, double[] vt, double next, double largest)
    {
        Rows = m; Cols = n; Rank = j; UTransposed = ut; S = s; Vt = vt; NextSingularValue = next; LargestSingularValue = largest;
    }

    /// <summary>Top-<paramref name="rank"/> SVD of the m×n view g (row stride ld); 0 ≤ rank ≤ min(m, n). Single-threaded.</summary>
    public static unsafe TruncatedSvd Compute(ReadOnlySpan<double> g, int m, int n, int ld, int rank)
    {
        SymmetricGram.CheckView(g.Length, m, n, ld, nameof(g));
        fixed (double* p = g) return Compute(MatrixView.Of(p, m, n, ld), rank, 1);
    }

    /// <summary>Top-<paramref name="rank"/> SVD of the m×n float32 view g (row stride ld) on up to the given threads.</summary>
    public static unsafe TruncatedSvd Compute(ReadOnlySpan<float> g, int m, int n, int ld, int rank, int maxDegreeOfParallelism)
    {
        SymmetricGram.CheckView(g.Length, m, n, ld, nameof(g));
        fixed (float* p = g) return Compute(MatrixView.Of(p, m, n, ld), rank, maxDegreeOfParallelism);
    }

    /// <summary>Top-<paramref name="rank"/> SVD of the m×n float64 view g (row stride ld) on up to the given threads.</summary>
    public static unsafe TruncatedSvd Compute(ReadOnlySpan<double> g, int m, int n, int ld, int rank, int maxDegreeOfParallelism)
    {
        SymmetricGram.CheckView(g.Length, m, n, ld, nameof(g));
        fixed (double* p = g) return Compute(MatrixView.Of(p, m, n, ld), rank, maxDegreeOfParallelism);
    }

    /// <summary>Top-<paramref name="rank"/> SVD of a view (the caller keeps it pinned) on up to the given threads.</summary>
    internal static unsafe TruncatedSvd Compute(MatrixView g, int rank, int threads)
    {
        int m = g.Rows, n = g.Cols;
        if (rank < 0 || rank > Math.Min(m, n))
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} outside 0..min({m}, {n})");
        // Work on the smaller side: p = min(m, n); the Gram's eigenvectors are U (m ≤ n) or V (m > n).
        bool columnSide = m > n;
        int p = Math.Min(m, n), q = Math.Max(m, n), j = rank;
        // The previous group's vectors (given back by the caller) go before this one's are allocated.
        WorkBuffers.CollectReturned();
        // The Gram and the reflectors are the largest transient buffers (p² each): rented, cleared and given back.
        var gramBuffer = WorkBuffers.Rent(checked(p * p));
        double[]? reflectorBuffer = null;
        double[] near, far, s;
        double next = 0, largest = 0;
        try
        {
            var gram = gramBuffer.AsSpan(0, p * p);
            gram.Clear();
            fixed (double* cp = gram)
            {
                // Lower triangle of G Gᵀ (A = G, B = Gᵀ) or Gᵀ G (A = Gᵀ, B = G), one parallel packed product.
                var gt = g.Transpose();
                if (!columnSide) PackedGemm.Multiply(g, gt, cp, p, threads, lowerOnly: true);
                else PackedGemm.Multiply(gt, g, cp, p, threads, lowerOnly: true);
            }
            int? scale = SymmetricEigen.ScaleToUnit(gram, p); // throws on a non-finite entry; null: a zero matrix
            near = new double[(long)j * p];       // rows: top-j eigenvectors of the Gram
            far = new double[(long)j * q];        // rows: the other side, σ_r times a unit vector
            s = new double[j];
            if (scale is int shift && p > 0)
            {
                var d = new double[p];
                var e = new double[p];
                reflectorBuffer = WorkBuffers.Rent(checked(p * p));
                var reflectors = reflectorBuffer.AsSpan(0, p * p);
                reflectors.Clear();
                var taus = new double[p];
                TridiagonalReduction.Reduce(gram, p, d, e, new double[HouseholderTridiagonal.ScratchLength(p)], reflectors, taus, threads);
                WorkBuffers.Return(gramBuffer); // the Gram is no longer needed: let it go before the vectors are made
                gramBuffer = null;
                var values = (double[])d.Clone();
                var off = (double[])e.Clone();
                TridiagonalEigen.Values(values, off, p);
                Array.Reverse(values); // descending
                largest = Math.Sqrt(Math.Max(Math.ScaleB(values[0], shift), 0));
                next = j < p ? Math.Sqrt(Math.Max(Math.ScaleB(values[j], shift), 0)) : 0;
                if (j > 0)
                {
                    TridiagonalVectors.Compute(d, e, p, values.AsSpan(0, j), near);
                    ReflectorProduct.Apply(reflectors, taus, p, near, j, threads);
                }
                WorkBuffers.Return(reflectorBuffer);
                reflectorBuffer = null;
                if (j > 0)
                    fixed (double* np = near, fp = far)
                        // far (j×q): Uᵀ G on the row side, (G V)ᵀ = Vᵀ Gᵀ on the column side; one product either way.
                        PackedGemm.Multiply(MatrixView.Of(np, j, p, p), columnSide ? g.Transpose() : g, fp, q, threads);
            }
            else
                for (int r = 0; r < j; r++) near[(long)r * p + r] = 1; // zero matrix: any orthonormal basis
        }
        finally
        {
            if (gramBuffer is not null) WorkBuffers.Return(gramBuffer);
            if (reflectorBuffer is not null) WorkBuffers.Return(reflectorBuffer);
        }
        Normalise(far, s, j, q, p, largest);
        // Rows of near and far are the vectors of the two sides: Uᵀ and Vᵀ, no transposed copies.
        return columnSide ? new TruncatedSvd(m, n, j, far, s, near, next, largest) : new TruncatedSvd(m, n, j, near, s, far, next, largest);
    }

    private static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[(long)rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[(long)c * rows + r] = x[(long)r * cols + c];
        return t;
    }

    // Rows of b (j×q) → σ_r (norm) and unit v_r. Rows below the Gram route's floor √(p·eps)·σ₁ are null
    // directions: σ = 0, the row becomes an orthonormal completion vector, and the matching near-side vector stays.
    private static void Normalise(double[] b, double[] s, int j, int q, int p, double largest)
    {
        double floor = Math.Sqrt(p * Eps) * largest;
        int next = 0;
        for (int r = 0; r < j; r++)
        {
            var x = b.AsSpan(r * q, q);
            s[r] = TensorPrimitives.Norm<double>(x);
            if (s[r] > floor && s[r] > 0) { TensorPrimitives.Divide(x, s[r], x); continue; }
            s[r] = 0;
            while (true)
            {
                x.Clear();
                x[next++ % q] = 1;
                for (int pass = 0; pass < 2; pass++)
                    for (int t = 0; t < r; t++)
                    {
                        var v = b.AsSpan(t * q, q);
                        TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot<double>(v, x), x, x);
                    }
                double nrm = TensorPrimitives.Norm<double>(x);
                if (nrm > 0.5) { TensorPrimitives.Divide(x, nrm, x); break; }
            }
        }
    }
}
