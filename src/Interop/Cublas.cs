using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary><c>cublasOperation_t</c>.</summary>
internal enum CublasOperation { None = 0, Transpose = 1, ConjugateTranspose = 2 }

/// <summary><c>cublasFillMode_t</c> (also used by cuSOLVER).</summary>
internal enum CublasFillMode { Lower = 0, Upper = 1, Full = 2 }

/// <summary>cuBLAS v2 API (<c>libcublas</c>). Matrices are column-major; scalars are host pointers.</summary>
internal static partial class Cublas
{
    static Cublas() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasCreate_v2")]
    internal static partial CublasStatus Create(out nint /* cublasHandle_t */ handle);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasDestroy_v2")]
    internal static partial CublasStatus Destroy(nint /* cublasHandle_t */ handle);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasSetStream_v2")]
    internal static partial CublasStatus SetStream(CublasHandle handle, CudaStream stream);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasGetStatusString")]
    internal static partial nint /* const char* */ GetStatusString(CublasStatus status);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasDgemmStridedBatched")]
    internal static partial CublasStatus DgemmStridedBatched(
        CublasHandle handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        in double alpha, nint /* const double* */ a, int lda, long strideA,
        nint /* const double* */ b, int ldb, long strideB,
        in double beta, nint /* double* */ c, int ldc, long strideC, int batchCount);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasSgemmStridedBatched")]
    internal static partial CublasStatus SgemmStridedBatched(
        CublasHandle handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        in float alpha, nint /* const float* */ a, int lda, long strideA,
        nint /* const float* */ b, int ldb, long strideB,
        in float beta, nint /* float* */ c, int ldc, long strideC, int batchCount);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasDsyrk_v2")]
    internal static partial CublasStatus Dsyrk(
        CublasHandle handle, CublasFillMode uplo, CublasOperation trans, int n, int k,
        in double alpha, nint /* const double* */ a, int lda,
        in double beta, nint /* double* */ c, int ldc);
}
