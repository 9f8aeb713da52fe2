using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Interop;

namespace Alds.Engine.Gpu;

/// <summary>Which eigen-solver handles Gram matrices larger than 32 × 32.</summary>
internal enum LargeEigenSolver
{
    /// <summary><c>cusolverDnXsyevBatched</c> for k &gt; 1 (CUDA ≥ 12.6); syevd for a single matrix.</summary>
    XsyevBatched,
    /// <summary>One <c>cusolverDnDsyevd</c> per group (older cuSOLVER).</summary>
    SyevdLoop,
}

/// <summary>
/// The spectral sweep on a CUDA device. Per (scheme, k): a kernel folds the channel groups into a
/// strided batch, cuBLAS forms the Gram of the smaller side in float64, cuSOLVER gives its
/// eigenvalues (syevjBatched for p ≤ 32, else XsyevBatched for k > 1 when cuSOLVER has it, else
/// syevd per group), and kernels turn
/// them into descending singular values and the max / rss error curves.
/// <para>Precision contract: float64 throughout. Singular values from Gram eigenvalues carry an
/// absolute error of about √(p·ε)·σ₁, so the normalised error curves are within ~1e-6 of an
/// SVD-based reference for p ≤ 4096.</para>
/// <para>Not thread-safe: one caller at a time (calls are serialised by a lock).</para>
/// </summary>
internal sealed class GpuSpectralBackend : ISpectralBackend
{
    private const int BatchedJacobiLimit = 32;

    private readonly Lock gate = new();
    private readonly PrimaryContext context;
    private readonly CudaStream stream;
    private readonly CublasHandle cublas;
    private readonly CusolverHandle cusolver;
    private readonly SyevjInfo syevj;
    private readonly CusolverParams? xparams;
    private readonly GpuKernels kernels;
    private readonly GpuBuffer weightBuf = new(), foldBuf = new(), gramBuf = new(), lambdaBuf = new(), sigmaBuf = new(),
        errMaxBuf = new(), errRssBuf = new(), workBuf = new(), infoBuf = new(), uBuf = new(), vBuf = new();
    private readonly PinnedBuffer staging = new(), hostWork = new();
    private bool disposed;

    private GpuSpectralBackend(CudaDeviceInfo device, PrimaryContext context, CudaStream stream, CublasHandle cublas,
        CusolverHandle cusolver, SyevjInfo syevj, CusolverParams? xparams, GpuKernels kernels)
    {
        Device = device;
        this.context = context;
        this.stream = stream;
        this.cublas = cublas;
        this.cusolver = cusolver;
        this.syevj = syevj;
        this.xparams = xparams;
        this.kernels = kernels;
    }

    /// <summary>The device in use.</summary>
    public CudaDeviceInfo Device { get; }

    /// <summary>The solver used for Gram matrices larger than 32 × 32.</summary>
    public LargeEigenSolver LargeSolver => xparams is null ? LargeEigenSolver.SyevdLoop : LargeEigenSolver.XsyevBatched;

    /// <inheritdoc />
    public string Name => $"cuda:{Device.Ordinal} ({Device.Name}, {Device.Architecture})";

    /// <summary>
    /// Opens device <paramref name="ordinal"/>: primary context, stream, cuBLAS and cuSOLVER handles,
    /// and the NVRTC-compiled kernels. Throws a <see cref="GpuException"/> (or
    /// <see cref="DllNotFoundException"/> listing the paths tried) when CUDA cannot be used.
    /// </summary>
    public static GpuSpectralBackend Create(int ordinal = 0, bool allowBatchedLargeSolver = true)
    {
        CudaRuntime.SetDevice(ordinal);
        var device = CudaRuntime.Describe(ordinal);
        var owned = new List<IDisposable>();
        try
        {
            var context = Own(owned, PrimaryContext.Retain(ordinal));
            var stream = Own(owned, CudaStream.Create());
            var cublas = Own(owned, CublasHandle.Create());
            cublas.SetStream(stream);
            var cusolver = Own(owned, CusolverHandle.Create());
            cusolver.SetStream(stream);
            var syevj = Own(owned, SyevjInfo.Create(tolerance: 1e-15, maxSweeps: 100));
            var xparams = allowBatchedLargeSolver && CudaRuntime.HasBatchedLargeEigensolver ? Own(owned, CusolverParams.Create()) : null;
            var kernels = Own(owned, GpuKernels.Load(device));
            return new GpuSpectralBackend(device, context, stream, cublas, cusolver, syevj, xparams, kernels);
        }
        catch
        {
            for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
            throw;
        }

        static T Own<T>(List<IDisposable> list, T item) where T : IDisposable
        {
            list.Add(item);
            return item;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SchemeOption> AnalyzeLayer(LayerSpec layer, ReadOnlySpan<double> weight,
        IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ValidateWeight(layer, weight);
        var effectiveSchemes = EffectiveSchemes(layer, schemes);
        var ks = groupCounts.Where(k => k >= 1 && layer.In % k == 0).Distinct().ToArray();
        if (ks.Length == 0 || effectiveSchemes.Count == 0) return [];

        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Enter();
            var dWeight = Upload(weight);
            var result = new List<SchemeOption>(effectiveSchemes.Count * ks.Length);
            foreach (var scheme in effectiveSchemes)
            {
                // σ₁(F_s(W)) is the top singular value of the k = 1 "group": the whole folded weight.
                var whole = Curves(layer, dWeight, scheme, 1);
                var norm = whole.Sigma1;
                foreach (var k in ks)
                {
                    var c = k == 1 ? whole : Curves(layer, dWeight, scheme, k);
                    result.Add(Normalise(scheme, k, norm, c.Max, c.Rss));
                }
            }
            return result;
        }
    }

    /// <summary>
    /// Truncated factors of the channel groups of one (scheme, k) at rank <paramref name="rank"/>,
    /// via <c>cusolverDnDgesvdaStridedBatched</c> (an approximate SVD through the Gram; exact to
    /// about √ε relative on the kept singular triplets).
    /// </summary>
    public GroupFactors Factorize(LayerSpec layer, ReadOnlySpan<double> weight, int scheme, int groups, int rank)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ValidateWeight(layer, weight);
        if (scheme is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "scheme must be 0..3");
        if (groups < 1 || layer.In % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"groups must divide in = {layer.In}");
        var (m, n) = FoldScheme.GroupShape(scheme, layer, groups);
        int mm = Math.Max(m, n), nn = Math.Min(m, n);
        if (rank < 1 || rank > nn) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be 1..{nn}");
        bool transpose = m < n; // gesvda wants tall matrices: factor Gᵀ when G is wide

        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Enter();
            var dWeight = Upload(weight);
            long per = (long)m * n;
            var dFold = foldBuf.Ensure(per * groups * sizeof(double));
            kernels.Fold(stream, dWeight, dFold, layer.Out, layer.In, layer.Kh, layer.Kw, scheme, groups, transpose, per * groups);

            var dS = sigmaBuf.Ensure((long)rank * groups * sizeof(double));
            var dU = uBuf.Ensure((long)mm * rank * groups * sizeof(double));
            var dV = vBuf.Ensure((long)nn * rank * groups * sizeof(double));
            var dInfo = infoBuf.Ensure((long)groups * sizeof(int));
            CusolverException.ThrowIfFailed(Cusolver.DnDgesvdaStridedBatchedBufferSize(cusolver, CusolverEigMode.Vector, rank, mm, nn,
                dFold, mm, per, dS, rank, dU, mm, (long)mm * rank, dV, nn, (long)nn * rank, out var lwork, groups));
            var dWork = workBuf.Ensure(Math.Max(lwork, 1) * (long)sizeof(double));
            var residual = new double[groups];
            unsafe
            {
                fixed (double* r = residual)
                    CusolverException.ThrowIfFailed(Cusolver.DnDgesvdaStridedBatched(cusolver, CusolverEigMode.Vector, rank, mm, nn,
                        dFold, mm, per, dS, rank, dU, mm, (long)mm * rank, dV, nn, (long)nn * rank,
                        dWork, lwork, dInfo, r, groups));
            }
            CheckInfo(dInfo, groups, "cusolverDnDgesvdaStridedBatched");

            var s = Download(dS, (long)rank * groups);
            var u = Download(dU, (long)mm * rank * groups);
            var v = Download(dV, (long)nn * rank * groups);

            var decoders = new double[groups][];
            var encoders = new double[groups][];
            var sigmas = new double[groups][];
            for (int g = 0; g < groups; g++)
            {
                // A = U S Vᵀ with A = G (tall) or A = Gᵀ (wide G): then G's left vectors are V, right are U.
                var left = transpose ? v.AsSpan(g * nn * rank, nn * rank) : u.AsSpan(g * mm * rank, mm * rank);
                var right = transpose ? u.AsSpan(g * mm * rank, mm * rank) : v.AsSpan(g * nn * rank, nn * rank);
                int ldLeft = transpose ? nn : mm, ldRight = transpose ? mm : nn; // = m and n
                var d = new double[(long)m * rank];
                var e = new double[(long)rank * n];
                var sg = s.AsSpan(g * rank, rank).ToArray();
                for (int t = 0; t < rank; t++)
                {
                    double root = Math.Sqrt(Math.Max(sg[t], 0));
                    for (int r = 0; r < m; r++) d[(long)r * rank + t] = left[t * ldLeft + r] * root;
                    for (int c = 0; c < n; c++) e[(long)t * n + c] = right[t * ldRight + c] * root;
                }
                decoders[g] = d;
                encoders[g] = e;
                sigmas[g] = sg;
            }
            return new GroupFactors(scheme, groups, rank, m, n, decoders, encoders, sigmas);
        }
    }

    /// <summary>Schemes actually analysed: all requested for convolutions, scheme 0 only for linear layers.</summary>
    internal static IReadOnlyList<int> EffectiveSchemes(LayerSpec layer, IReadOnlyList<int> schemes)
    {
        foreach (var s in schemes)
            if (s is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(schemes), s, "scheme must be 0..3");
        return layer.Kind == LayerKind.Linear ? [0] : schemes.Distinct().ToArray();
    }

    internal static SchemeOption Normalise(int scheme, int groups, double norm, double[] max, double[] rss)
    {
        var eMax = new double[max.Length];
        var eRss = new double[rss.Length];
        if (norm > 0)
        {
            for (int j = 0; j < max.Length; j++)
            {
                eMax[j] = max[j] / norm;
                eRss[j] = rss[j] / norm;
            }
        }
        return new SchemeOption(scheme, groups, norm, eMax, eRss);
    }

    private static void ValidateWeight(LayerSpec layer, ReadOnlySpan<double> weight)
    {
        if (weight.Length != layer.Params)
            throw new ArgumentException(
                $"layer '{layer.Name}': weight has {weight.Length} values, shape [{string.Join(",", layer.Shape)}] needs {layer.Params}",
                nameof(weight));
    }

    private readonly record struct RawCurves(double Sigma1, double[] Max, double[] Rss);

    private RawCurves Curves(LayerSpec layer, nint dWeight, int scheme, int k)
    {
        var (m, n) = FoldScheme.GroupShape(scheme, layer, k);
        int p = Math.Min(m, n);
        long per = (long)m * n;
        var dFold = foldBuf.Ensure(per * k * sizeof(double));
        kernels.Fold(stream, dWeight, dFold, layer.Out, layer.In, layer.Kh, layer.Kw, scheme, k, transpose: false, per * k);

        var dGram = gramBuf.Ensure((long)p * p * k * sizeof(double));
        Gram(dFold, m, n, k, dGram);

        var dLambda = lambdaBuf.Ensure((long)p * k * sizeof(double));
        Eigenvalues(dGram, p, k, dLambda);

        var dSigma = sigmaBuf.Ensure((long)p * k * sizeof(double));
        kernels.EigToSigma(stream, dLambda, dSigma, p, k);
        var dMax = errMaxBuf.Ensure((long)p * sizeof(double));
        var dRss = errRssBuf.Ensure((long)p * sizeof(double));
        kernels.GroupErrors(stream, dSigma, dMax, dRss, p, k);

        var sigma1 = Download(dSigma, 1)[0];
        return new RawCurves(sigma1, Download(dMax, p), Download(dRss, p));
    }

    /// <summary>Gram of the smaller side of each column-major m × n group: G Gᵀ (m ≤ n) or Gᵀ G.</summary>
    private void Gram(nint dFold, int m, int n, int k, nint dGram)
    {
        long per = (long)m * n;
        if (k == 1)
        {
            // One matrix: syrk does half the flops; only the lower triangle is formed and read.
            if (m <= n)
                CublasException.ThrowIfFailed(Cublas.Dsyrk(cublas, CublasFillMode.Lower, CublasOperation.None, m, n, 1.0, dFold, m, 0.0, dGram, m));
            else
                CublasException.ThrowIfFailed(Cublas.Dsyrk(cublas, CublasFillMode.Lower, CublasOperation.Transpose, n, m, 1.0, dFold, m, 0.0, dGram, n));
            return;
        }
        if (m <= n)
            CublasException.ThrowIfFailed(Cublas.DgemmStridedBatched(cublas, CublasOperation.None, CublasOperation.Transpose, m, m, n,
                1.0, dFold, m, per, dFold, m, per, 0.0, dGram, m, (long)m * m, k));
        else
            CublasException.ThrowIfFailed(Cublas.DgemmStridedBatched(cublas, CublasOperation.Transpose, CublasOperation.None, n, n, m,
                1.0, dFold, m, per, dFold, m, per, 0.0, dGram, n, (long)n * n, k));
    }

    /// <summary>Ascending eigenvalues of <paramref name="batch"/> symmetric p × p matrices (lower triangles read).</summary>
    private void Eigenvalues(nint dGram, int p, int batch, nint dLambda)
    {
        var dInfo = infoBuf.Ensure((long)batch * sizeof(int));
        const CusolverEigMode jobz = CusolverEigMode.NoVector;
        const CublasFillMode uplo = CublasFillMode.Lower;
        if (p <= BatchedJacobiLimit)
        {
            CusolverException.ThrowIfFailed(Cusolver.DnDsyevjBatchedBufferSize(cusolver, jobz, uplo, p, dGram, p, dLambda, out var lwork, syevj, batch));
            var dWork = workBuf.Ensure(Math.Max(lwork, 1) * (long)sizeof(double));
            CusolverException.ThrowIfFailed(Cusolver.DnDsyevjBatched(cusolver, jobz, uplo, p, dGram, p, dLambda, dWork, lwork, dInfo, syevj, batch));
            CheckInfo(dInfo, batch, "cusolverDnDsyevjBatched");
        }
        else if (xparams is not null && batch > 1)
        {
            CusolverException.ThrowIfFailed(Cusolver.DnXsyevBatchedBufferSize(cusolver, xparams, jobz, uplo, p,
                CudaDataType.R64F, dGram, p, CudaDataType.R64F, dLambda, CudaDataType.R64F, out var deviceBytes, out var hostBytes, batch));
            var dWork = workBuf.Ensure(Math.Max((long)deviceBytes, 1));
            var hWork = hostWork.Ensure(Math.Max((long)hostBytes, 1));
            CusolverException.ThrowIfFailed(Cusolver.DnXsyevBatched(cusolver, xparams, jobz, uplo, p,
                CudaDataType.R64F, dGram, p, CudaDataType.R64F, dLambda, CudaDataType.R64F,
                dWork, deviceBytes, hWork.DangerousPointer, hostBytes, dInfo, batch));
            CheckInfo(dInfo, batch, "cusolverDnXsyevBatched");
        }
        else
        {
            // A single large matrix (k = 1) goes to the divide-and-conquer solver either way.
            CusolverException.ThrowIfFailed(Cusolver.DnDsyevdBufferSize(cusolver, jobz, uplo, p, dGram, p, dLambda, out var lwork));
            var dWork = workBuf.Ensure(Math.Max(lwork, 1) * (long)sizeof(double));
            for (int b = 0; b < batch; b++)
                CusolverException.ThrowIfFailed(Cusolver.DnDsyevd(cusolver, jobz, uplo, p,
                    dGram + (nint)((long)b * p * p * sizeof(double)), p, dLambda + (nint)((long)b * p * sizeof(double)),
                    dWork, lwork, dInfo + b * sizeof(int)));
            CheckInfo(dInfo, batch, "cusolverDnDsyevd");
        }
    }

    private void CheckInfo(nint dInfo, int count, string call)
    {
        var host = staging.Ensure((long)count * sizeof(int));
        CudaRuntime.CopyAsync(host.DangerousPointer, dInfo, (long)count * sizeof(int), CudaMemcpyKind.DeviceToHost, stream);
        stream.Synchronize();
        CusolverException.ThrowIfInfoFailed(host.DangerousAsSpan<int>()[..count], call);
    }

    private nint Upload(ReadOnlySpan<double> weight)
    {
        long bytes = (long)weight.Length * sizeof(double);
        var host = staging.Ensure(bytes);
        weight.CopyTo(host.DangerousAsSpan<double>());
        var dWeight = weightBuf.Ensure(bytes);
        CudaRuntime.CopyAsync(dWeight, host.DangerousPointer, bytes, CudaMemcpyKind.HostToDevice, stream);
        // The staging buffer is reused by the next download: wait until the upload has read it.
        stream.Synchronize();
        return dWeight;
    }

    private double[] Download(nint source, long count)
    {
        long bytes = count * sizeof(double);
        var host = staging.Ensure(bytes);
        CudaRuntime.CopyAsync(host.DangerousPointer, source, bytes, CudaMemcpyKind.DeviceToHost, stream);
        stream.Synchronize();
        return host.DangerousAsSpan<double>()[..checked((int)count)].ToArray();
    }

    /// <summary>Binds this thread to the device: runtime calls and driver launches both need it.</summary>
    private void Enter()
    {
        CudaRuntime.SetDevice(Device.Ordinal);
        context.MakeCurrent();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            try
            {
                Enter(); // module unload and frees act on this device's context
                stream.Synchronize();
            }
            catch (GpuException) { } // still free what we own
            foreach (var d in new IDisposable[] { weightBuf, foldBuf, gramBuf, lambdaBuf, sigmaBuf, errMaxBuf, errRssBuf, workBuf,
                         infoBuf, uBuf, vBuf, staging, hostWork, kernels })
                d.Dispose();
            xparams?.Dispose();
            syevj.Dispose();
            cusolver.Dispose();
            cublas.Dispose();
            stream.Dispose();
            context.Dispose();
        }
    }
}
