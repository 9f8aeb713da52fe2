using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary><c>cusolverEigMode_t</c>.</summary>
internal enum CusolverEigMode { NoVector = 0, Vector = 1 }

/// <summary><c>cudaDataType</c>: the two real types this engine uses.</summary>
internal enum CudaDataType { R32F = 0, R64F = 1 }

/// <summary>
/// cuSOLVER dense API (<c>libcusolver</c>). Matrices are column-major device arrays; every
/// routine with an <c>info</c> output must have it checked after the stream synchronises.
/// </summary>
internal static unsafe partial class Cusolver
{
    static Cusolver() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnCreate")]
    internal static partial CusolverStatus DnCreate(out nint /* cusolverDnHandle_t */ handle);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDestroy")]
    internal static partial CusolverStatus DnDestroy(nint /* cusolverDnHandle_t */ handle);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnSetStream")]
    internal static partial CusolverStatus DnSetStream(CusolverHandle handle, CudaStream stream);

    // ---- gesvdj (batched: m, n <= 32) ----

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnCreateGesvdjInfo")]
    internal static partial CusolverStatus DnCreateGesvdjInfo(out nint /* gesvdjInfo_t */ info);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDestroyGesvdjInfo")]
    internal static partial CusolverStatus DnDestroyGesvdjInfo(nint /* gesvdjInfo_t */ info);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnXgesvdjSetTolerance")]
    internal static partial CusolverStatus DnXgesvdjSetTolerance(GesvdjInfo info, double tolerance);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnXgesvdjSetMaxSweeps")]
    internal static partial CusolverStatus DnXgesvdjSetMaxSweeps(GesvdjInfo info, int maxSweeps);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDgesvdjBatched_bufferSize")]
    internal static partial CusolverStatus DnDgesvdjBatchedBufferSize(
        CusolverHandle handle, CusolverEigMode jobz, int m, int n,
        nint /* const double* */ a, int lda, nint /* const double* */ s,
        nint /* const double* */ u, int ldu, nint /* const double* */ v, int ldv,
        out int lwork, GesvdjInfo parameters, int batchSize);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDgesvdjBatched")]
    internal static partial CusolverStatus DnDgesvdjBatched(
        CusolverHandle handle, CusolverEigMode jobz, int m, int n,
        nint /* double* */ a, int lda, nint /* double* */ s,
        nint /* double* */ u, int ldu, nint /* double* */ v, int ldv,
        nint /* double* */ work, int lwork, nint /* int* device */ info, GesvdjInfo parameters, int batchSize);

    // ---- syevj (batched: n <= 32) and single ----

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnCreateSyevjInfo")]
    internal static partial CusolverStatus DnCreateSyevjInfo(out nint /* syevjInfo_t */ info);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDestroySyevjInfo")]
    internal static partial CusolverStatus DnDestroySyevjInfo(nint /* syevjInfo_t */ info);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnXsyevjSetTolerance")]
    internal static partial CusolverStatus DnXsyevjSetTolerance(SyevjInfo info, double tolerance);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnXsyevjSetMaxSweeps")]
    internal static partial CusolverStatus DnXsyevjSetMaxSweeps(SyevjInfo info, int maxSweeps);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDsyevjBatched_bufferSize")]
    internal static partial CusolverStatus DnDsyevjBatchedBufferSize(
        CusolverHandle handle, CusolverEigMode jobz, CublasFillMode uplo, int n,
        nint /* const double* */ a, int lda, nint /* const double* */ w,
        out int lwork, SyevjInfo parameters, int batchSize);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDsyevjBatched")]
    internal static partial CusolverStatus DnDsyevjBatched(
        CusolverHandle handle, CusolverEigMode jobz, CublasFillMode uplo, int n,
        nint /* double* */ a, int lda, nint /* double* */ w,
        nint /* double* */ work, int lwork, nint /* int* device */ info, SyevjInfo parameters, int batchSize);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDsyevj_bufferSize")]
    internal static partial CusolverStatus DnDsyevjBufferSize(
        CusolverHandle handle, CusolverEigMode jobz, CublasFillMode uplo, int n,
        nint /* const double* */ a, int lda, nint /* const double* */ w, out int lwork, SyevjInfo parameters);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDsyevj")]
    internal static partial CusolverStatus DnDsyevj(
        CusolverHandle handle, CusolverEigMode jobz, CublasFillMode uplo, int n,
        nint /* double* */ a, int lda, nint /* double* */ w,
        nint /* double* */ work, int lwork, nint /* int* device */ info, SyevjInfo parameters);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDsyevd_bufferSize")]
    internal static partial CusolverStatus DnDsyevdBufferSize(
        CusolverHandle handle, CusolverEigMode jobz, CublasFillMode uplo, int n,
        nint /* const double* */ a, int lda, nint /* const double* */ w, out int lwork);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDsyevd")]
    internal static partial CusolverStatus DnDsyevd(
        CusolverHandle handle, CusolverEigMode jobz, CublasFillMode uplo, int n,
        nint /* double* */ a, int lda, nint /* double* */ w,
        nint /* double* */ work, int lwork, nint /* int* device */ info);

    // ---- gesvda (approximate rank-r SVD of tall matrices, m >= n) ----

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDgesvdaStridedBatched_bufferSize")]
    internal static partial CusolverStatus DnDgesvdaStridedBatchedBufferSize(
        CusolverHandle handle, CusolverEigMode jobz, int rank, int m, int n,
        nint /* const double* */ a, int lda, long strideA,
        nint /* const double* */ s, long strideS,
        nint /* const double* */ u, int ldu, long strideU,
        nint /* const double* */ v, int ldv, long strideV,
        out int lwork, int batchSize);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDgesvdaStridedBatched")]
    internal static partial CusolverStatus DnDgesvdaStridedBatched(
        CusolverHandle handle, CusolverEigMode jobz, int rank, int m, int n,
        nint /* const double* */ a, int lda, long strideA,
        nint /* double* */ s, long strideS,
        nint /* double* */ u, int ldu, long strideU,
        nint /* double* */ v, int ldv, long strideV,
        nint /* double* */ work, int lwork, nint /* int* device */ info,
        double* residualFrobeniusHost, int batchSize);

    // ---- 64-bit API: params object and XsyevBatched (CUDA >= 12.6, bound lazily) ----

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnCreateParams")]
    internal static partial CusolverStatus DnCreateParams(out nint /* cusolverDnParams_t */ parameters);

    [LibraryImport(NativeLibraries.Cusolver, EntryPoint = "cusolverDnDestroyParams")]
    internal static partial CusolverStatus DnDestroyParams(nint /* cusolverDnParams_t */ parameters);

    private static readonly Lazy<(nint bufferSize, nint run)> XsyevBatchedExports = new(() =>
        NativeLibraries.TryGetExport(NativeLibraries.Cusolver, "cusolverDnXsyevBatched_bufferSize", out var size)
        && NativeLibraries.TryGetExport(NativeLibraries.Cusolver, "cusolverDnXsyevBatched", out var run)
            ? (size, run) : (0, 0));

    /// <summary>Whether this cuSOLVER exports <c>cusolverDnXsyevBatched</c> (CUDA 12.6 and later).</summary>
    internal static bool HasXsyevBatched => XsyevBatchedExports.Value.run != 0;

    internal static CusolverStatus DnXsyevBatchedBufferSize(
        CusolverHandle handle, CusolverParams parameters, CusolverEigMode jobz, CublasFillMode uplo, long n,
        CudaDataType typeA, nint /* const void* */ a, long lda, CudaDataType typeW, nint /* const void* */ w,
        CudaDataType computeType, out nuint deviceBytes, out nuint hostBytes, long batchSize)
    {
        var fn = (delegate* unmanaged<nint, nint, CusolverEigMode, CublasFillMode, long, CudaDataType, nint, long,
            CudaDataType, nint, CudaDataType, nuint*, nuint*, long, CusolverStatus>)RequireXsyevBatched().bufferSize;
        nuint d = 0, h = 0;
        CusolverStatus status;
        bool addedH = false, addedP = false;
        try
        {
            handle.DangerousAddRef(ref addedH);
            parameters.DangerousAddRef(ref addedP);
            status = fn(handle.DangerousGetHandle(), parameters.DangerousGetHandle(), jobz, uplo, n, typeA, a, lda,
                typeW, w, computeType, &d, &h, batchSize);
        }
        finally
        {
            if (addedP) parameters.DangerousRelease();
            if (addedH) handle.DangerousRelease();
        }
        deviceBytes = d;
        hostBytes = h;
        return status;
    }

    internal static CusolverStatus DnXsyevBatched(
        CusolverHandle handle, CusolverParams parameters, CusolverEigMode jobz, CublasFillMode uplo, long n,
        CudaDataType typeA, nint /* void* */ a, long lda, CudaDataType typeW, nint /* void* */ w,
        CudaDataType computeType, nint /* void* device */ deviceWork, nuint deviceBytes,
        nint /* void* host */ hostWork, nuint hostBytes, nint /* int* device */ info, long batchSize)
    {
        var fn = (delegate* unmanaged<nint, nint, CusolverEigMode, CublasFillMode, long, CudaDataType, nint, long,
            CudaDataType, nint, CudaDataType, nint, nuint, nint, nuint, nint, long, CusolverStatus>)RequireXsyevBatched().run;
        bool addedH = false, addedP = false;
        try
        {
            handle.DangerousAddRef(ref addedH);
            parameters.DangerousAddRef(ref addedP);
            return fn(handle.DangerousGetHandle(), parameters.DangerousGetHandle(), jobz, uplo, n, typeA, a, lda,
                typeW, w, computeType, deviceWork, deviceBytes, hostWork, hostBytes, info, batchSize);
        }
        finally
        {
            if (addedP) parameters.DangerousRelease();
            if (addedH) handle.DangerousRelease();
        }
    }

    private static (nint bufferSize, nint run) RequireXsyevBatched()
    {
        var exports = XsyevBatchedExports.Value;
        if (exports.run == 0)
            throw new CusolverException(CusolverStatus.NotSupported,
                "cusolverDnXsyevBatched (not available: this cuSOLVER predates CUDA 12.6)");
        return exports;
    }
}
