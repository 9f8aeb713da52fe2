using Alds.Peers;

namespace Alds.Engine.Tests.Oracles;

/// <summary>
/// Oracle: Debian's LAPACKE (row-major calls) through the one binding, <see cref="Lapacke"/>. Every entry point applies the
/// missing-oracle policy (<see cref="Requires.Lapack"/>): fail in CI, skip elsewhere, one line naming the package.
/// <c>ALDS_TEST_LAPACKE</c> names another library file (an absent one hides LAPACK, to check that CI turns red).
/// </summary>
internal static unsafe class Lapack
{
    public const string DefaultLibrary = Lapacke.DebianPath;
    private const int RowMajor = Lapacke.RowMajor;

    private static readonly Lazy<(Lapacke? Native, string? Error)> Loaded = new(() => Load(Library));

    /// <summary>The library file tried: <c>ALDS_TEST_LAPACKE</c> when set, else Debian's path.</summary>
    public static string Library => Environment.GetEnvironmentVariable("ALDS_TEST_LAPACKE") is { Length: > 0 } p ? p : DefaultLibrary;

    /// <summary>Null when LAPACKE loaded with every symbol the tests use; otherwise why not (one line).</summary>
    public static string? LoadError => Loaded.Value.Error;

    public static bool Available => LoadError is null;

    /// <summary>Null when <paramref name="library"/> loads with every symbol the tests use; otherwise why not (one line).</summary>
    public static string? TryLoad(string library) => Load(library).Error;

    private static (Lapacke? Native, string? Error) Load(string library)
    {
        var native = Lapacke.TryLoad([library], out var error);
        return (native, error);
    }

    private static Lapacke Require()
    {
        Requires.Lapack();
        return Loaded.Value.Native!;
    }

    /// <summary>Eigenvalues (ascending) of the symmetric tridiagonal with diagonal d and off-diagonal e, by dsterf.</summary>
    public static double[] TridiagonalEigenValues(ReadOnlySpan<double> d, ReadOnlySpan<double> e)
    {
        int n = d.Length;
        var dd = d.ToArray();
        var ee = new double[Math.Max(n, 1)];
        e.Slice(0, Math.Max(n - 1, 0)).CopyTo(ee);
        fixed (double* pd = dd, pe = ee)
        {
            int info = Require().Dsterf(n, pd, pe);
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
            int info = Require().Dgesdd(RowMajor, (byte)'N', m, n, pa, Math.Max(n, 1), ps, null, Math.Max(m, 1), null, Math.Max(n, 1));
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
            int info = Require().Dsyevd(RowMajor, (byte)'N', (byte)'L', n, pa, Math.Max(n, 1), pw);
            if (info != 0) throw new InvalidOperationException($"dsyevd info {info}");
        }
        var r = w[..n];
        Array.Reverse(r);
        return r;
    }

    /// <summary>
    /// The thin SVD of an m×n row-major matrix by dgesdd (jobz = 'S'): <paramref name="s"/> (p = min(m, n) values,
    /// descending), <paramref name="u"/> (m×p) and <paramref name="vt"/> (p×n), row-major. <paramref name="a"/> is overwritten.
    /// </summary>
    public static void ThinSvd(double[] a, int m, int n, double[] s, double[] u, double[] vt)
    {
        int p = Math.Min(m, n);
        fixed (double* pa = a, ps = s, pu = u, pvt = vt)
        {
            int info = Require().Dgesdd(RowMajor, (byte)'S', m, n, pa, n, ps, pu, p, pvt, n);
            if (info != 0) throw new InvalidOperationException($"dgesdd info {info}");
        }
    }
}
