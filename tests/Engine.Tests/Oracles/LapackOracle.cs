using System.Runtime.InteropServices;

namespace Alds.Engine.Tests.Oracles;

/// <summary>Debian's LAPACKE (OpenBLAS or reference LAPACK), the independent oracle of the tests.</summary>
internal static partial class LapackOracle
{
    private const string Library = "liblapacke.so.3";
    private const int RowMajor = 101;

    [LibraryImport(Library, EntryPoint = "LAPACKE_dgesdd")]
    private static partial int Dgesdd(int layout, byte jobz, int m, int n, double[] a, int lda,
        double[] s, double[]? u, int ldu, double[]? vt, int ldvt);

    public static bool IsAvailable
    {
        get
        {
            if (!NativeLibrary.TryLoad(Library, out var handle)) return false;
            NativeLibrary.Free(handle);
            return true;
        }
    }

    /// <summary>Singular values (descending) of a row-major m×n matrix, by LAPACK dgesdd.</summary>
    public static double[] SingularValues(ReadOnlySpan<double> a, int m, int n)
    {
        Assume.That(IsAvailable, "liblapacke.so.3 is not installed (apt-get install liblapacke)");
        var copy = a[..(m * n)].ToArray();
        var s = new double[Math.Min(m, n)];
        if (s.Length == 0) return s;
        var info = Dgesdd(RowMajor, (byte)'N', m, n, copy, n, s, null, Math.Max(1, m), null, Math.Max(1, n));
        if (info != 0) throw new InvalidOperationException($"dgesdd info = {info}");
        return s;
    }
}
