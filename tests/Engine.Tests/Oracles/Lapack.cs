using System.Runtime.InteropServices;

namespace Alds.Engine.Tests.Oracles;

/// <summary>Oracle: Debian's reference LAPACKE (row-major calls), used by tests only.</summary>
internal static unsafe class Lapack
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/liblapacke.so.3";
    private const int RowMajor = 101;

    [DllImport(Lib, EntryPoint = "LAPACKE_dgesdd")]
    private static extern int dgesdd(int layout, byte jobz, int m, int n, double* a, int lda, double* s, double* u, int ldu, double* vt, int ldvt);

    [DllImport(Lib, EntryPoint = "LAPACKE_dsyevd")]
    private static extern int dsyevd(int layout, byte jobz, byte uplo, int n, double* a, int lda, double* w);

    [DllImport(Lib, EntryPoint = "LAPACKE_dsterf")]
    private static extern int dsterf(int n, double* d, double* e);

    public static bool Available => File.Exists(Lib);

    /// <summary>Eigenvalues (ascending) of the symmetric tridiagonal with diagonal d and off-diagonal e, by dsterf.</summary>
    public static double[] TridiagonalEigenValues(ReadOnlySpan<double> d, ReadOnlySpan<double> e)
    {
        int n = d.Length;
        var dd = d.ToArray();
        var ee = new double[Math.Max(n, 1)];
        e.Slice(0, Math.Max(n - 1, 0)).CopyTo(ee);
        fixed (double* pd = dd, pe = ee)
        {
            int info = dsterf(n, pd, pe);
            if (info != 0) throw new InvalidOperationException($"dsterf info {info}");
        }
        return dd;
    }

    /// <summary>Singular values (descending) of an m×n row-major matrix, by dgesdd with jobz = 'N'.</summary>
    public static double[] SingularValues(ReadOnlySpan<double> g, int m, int n)
    {
        var a = g.Slice(0, m * n).ToArray();
        var s = new double[Math.Max(Math.Min(m, n), 1)];
        fixed (double* pa = a, ps = s)
        {
            int info = dgesdd(RowMajor, (byte)'N', m, n, pa, Math.Max(n, 1), ps, null, Math.Max(m, 1), null, Math.Max(n, 1));
            if (info != 0) throw new InvalidOperationException($"dgesdd info {info}");
        }
        return s[..Math.Min(m, n)];
    }

    /// <summary>Eigenvalues (descending) of the symmetric n×n row-major matrix (lower triangle), by dsyevd.</summary>
    public static double[] EigenValues(ReadOnlySpan<double> sym, int n)
    {
        var a = sym.Slice(0, n * n).ToArray();
        var w = new double[Math.Max(n, 1)];
        fixed (double* pa = a, pw = w)
        {
            int info = dsyevd(RowMajor, (byte)'N', (byte)'L', n, pa, Math.Max(n, 1), pw);
            if (info != 0) throw new InvalidOperationException($"dsyevd info {info}");
        }
        var r = w[..n];
        Array.Reverse(r);
        return r;
    }
}
