using System.Runtime.InteropServices;

namespace Alds.Bench.Linalg;

/// <summary>The yardstick: Debian's LAPACKE over OpenBLAS (pthread build); each benchmark sets its thread count.</summary>
public static unsafe class LapackNative
{
    private const string Lapacke = "/usr/lib/x86_64-linux-gnu/liblapacke.so.3";
    private const string OpenBlas = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    public const int RowMajor = 101, ColMajor = 102;
    public const int Lower = 122, NoTrans = 111, Trans = 112;

    [DllImport(Lapacke, EntryPoint = "LAPACKE_dgesdd")]
    public static extern int Dgesdd(int layout, byte jobz, int m, int n, double* a, int lda, double* s, double* u, int ldu, double* vt, int ldvt);

    [DllImport(Lapacke, EntryPoint = "LAPACKE_dsyevd")]
    public static extern int Dsyevd(int layout, byte jobz, byte uplo, int n, double* a, int lda, double* w);

    [DllImport(Lapacke, EntryPoint = "LAPACKE_dsytrd")]
    public static extern int Dsytrd(int layout, byte uplo, int n, double* a, int lda, double* d, double* e, double* tau);

    /// <summary>C (n×n) = alpha·op(A)·op(A)ᵀ + beta·C, one triangle; op(A) is n×k.</summary>
    [DllImport(OpenBlas, EntryPoint = "cblas_dsyrk")]
    public static extern void Dsyrk(int layout, int uplo, int trans, int n, int k, double alpha, double* a, int lda, double beta, double* c, int ldc);

    [DllImport(OpenBlas, EntryPoint = "openblas_set_num_threads")]
    public static extern void SetNumThreads(int n);
}
