using System.Runtime.InteropServices;

namespace Alds.Peers;

/// <summary>
/// The one binding of LAPACKE (Debian's <c>liblapacke.so.3</c>, over OpenBLAS when <c>libopenblas0-pthread</c> is
/// installed) and of the two OpenBLAS entries the measurements use: the yardstick of <c>alds bench</c>, of the
/// BenchmarkDotNet suites and the oracle of the tests. The engine never computes with it. Loaded on demand; a library
/// that cannot be loaded, or lacks one of <see cref="Symbols"/>, is an error message, not an exception.
/// Raw entry points take row- or column-major layouts as LAPACKE does and return its <c>info</c>.
/// </summary>
public sealed unsafe class Lapacke
{
    /// <summary>Where Debian installs the library.</summary>
    public const string DebianPath = "/usr/lib/x86_64-linux-gnu/liblapacke.so.3";

    /// <summary>What to install when the library is missing.</summary>
    public const string InstallHint = "apt-get install liblapacke libopenblas0-pthread";

    /// <summary>LAPACKE/CBLAS layout and option constants.</summary>
    public const int RowMajor = 101, ColMajor = 102, Lower = 122, NoTrans = 111, Trans = 112;

    /// <summary>The LAPACKE symbols every loaded library has.</summary>
    public static IReadOnlyList<string> Symbols { get; } = ["LAPACKE_dgesdd", "LAPACKE_dsyevd", "LAPACKE_dsterf", "LAPACKE_dsytrd"];

    /// <summary>The names tried by <see cref="Default"/>: the loader's search first, then Debian's path.</summary>
    public static IReadOnlyList<string> DefaultCandidates { get; } = ["liblapacke.so.3", DebianPath, "liblapacke.so"];

    private static readonly string[] OpenBlasCandidates = ["libopenblas.so.0", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0"];
    private static readonly Lazy<(Lapacke? Library, string? Error)> Shared = new(() =>
    {
        var library = TryLoad(DefaultCandidates, out var error);
        return (library, error);
    });

    private readonly delegate* unmanaged<int, byte, int, int, double*, int, double*, double*, int, double*, int, int> dgesdd;
    private readonly delegate* unmanaged<int, byte, byte, int, double*, int, double*, int> dsyevd;
    private readonly delegate* unmanaged<int, double*, double*, int> dsterf;
    private readonly delegate* unmanaged<int, byte, int, double*, int, double*, double*, double*, int> dsytrd;
    private readonly delegate* unmanaged<int, int, int, int, int, double, double*, int, double, double*, int, void> dsyrk;
    private readonly delegate* unmanaged<int, void> setThreads;

    private Lapacke(string library, nint handle)
    {
        Library = library;
        dgesdd = (delegate* unmanaged<int, byte, int, int, double*, int, double*, double*, int, double*, int, int>)NativeLibrary.GetExport(handle, "LAPACKE_dgesdd");
        dsyevd = (delegate* unmanaged<int, byte, byte, int, double*, int, double*, int>)NativeLibrary.GetExport(handle, "LAPACKE_dsyevd");
        dsterf = (delegate* unmanaged<int, double*, double*, int>)NativeLibrary.GetExport(handle, "LAPACKE_dsterf");
        dsytrd = (delegate* unmanaged<int, byte, int, double*, int, double*, double*, double*, int>)NativeLibrary.GetExport(handle, "LAPACKE_dsytrd");
        foreach (var name in OpenBlasCandidates)
        {
            if (!NativeLibrary.TryLoad(name, out var blas)) continue;
            if (NativeLibrary.TryGetExport(blas, "openblas_set_num_threads", out var set)) setThreads = (delegate* unmanaged<int, void>)set;
            if (NativeLibrary.TryGetExport(blas, "cblas_dsyrk", out var syrk))
                dsyrk = (delegate* unmanaged<int, int, int, int, int, double, double*, int, double, double*, int, void>)syrk;
            break;
        }
    }

    /// <summary>The library file (or loader name) this binding was loaded from.</summary>
    public string Library { get; }

    /// <summary>True when OpenBLAS is loaded beside it (<see cref="SetThreads"/> and <see cref="Dsyrk"/> work).</summary>
    public bool HasOpenBlas => setThreads != null;

    /// <summary>The library from <see cref="DefaultCandidates"/>, loaded once; null with <paramref name="error"/> when none loads.</summary>
    public static Lapacke? TryDefault(out string? error)
    {
        var (library, e) = Shared.Value;
        error = e;
        return library;
    }

    /// <summary>The library from <see cref="DefaultCandidates"/>; throws <see cref="InvalidOperationException"/> (the reason and what to install) when none loads.</summary>
    public static Lapacke Default =>
        TryDefault(out var error) ?? throw new InvalidOperationException($"{error} (install it: {InstallHint})");

    /// <summary>
    /// The first of <paramref name="candidates"/> that loads with every one of <see cref="Symbols"/>; otherwise null and
    /// one line: <c>cannot load LAPACKE from A, B</c> or <c>A lacks LAPACKE_x</c>.
    /// </summary>
    public static Lapacke? TryLoad(IReadOnlyList<string> candidates, out string? error)
    {
        error = null;
        foreach (var library in candidates)
        {
            if (!NativeLibrary.TryLoad(library, out var handle)) continue;
            foreach (var name in Symbols)
                if (!NativeLibrary.TryGetExport(handle, name, out _))
                {
                    error = $"{library} lacks {name}";
                    return null;
                }
            return new Lapacke(library, handle);
        }
        error = $"cannot load LAPACKE from {string.Join(", ", candidates)}";
        return null;
    }

    /// <summary>Pins OpenBLAS to <paramref name="threads"/> threads (no-op without OpenBLAS).</summary>
    public void SetThreads(int threads)
    {
        if (setThreads != null) setThreads(threads);
    }

    /// <summary><c>LAPACKE_dgesdd</c>: singular values (<paramref name="jobz"/> 'N') or the full SVD.</summary>
    public int Dgesdd(int layout, byte jobz, int m, int n, double* a, int lda, double* s, double* u, int ldu, double* vt, int ldvt) =>
        dgesdd(layout, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);

    /// <summary><c>LAPACKE_dsyevd</c>: eigenvalues (ascending) and optionally vectors of a symmetric matrix.</summary>
    public int Dsyevd(int layout, byte jobz, byte uplo, int n, double* a, int lda, double* w) => dsyevd(layout, jobz, uplo, n, a, lda, w);

    /// <summary><c>LAPACKE_dsterf</c>: eigenvalues (ascending) of a symmetric tridiagonal matrix.</summary>
    public int Dsterf(int n, double* d, double* e) => dsterf(n, d, e);

    /// <summary><c>LAPACKE_dsytrd</c>: Householder reduction of a symmetric matrix to tridiagonal form.</summary>
    public int Dsytrd(int layout, byte uplo, int n, double* a, int lda, double* d, double* e, double* tau) =>
        dsytrd(layout, uplo, n, a, lda, d, e, tau);

    /// <summary>OpenBLAS <c>cblas_dsyrk</c>: C (n×n) = alpha·op(A)·op(A)ᵀ + beta·C, one triangle; op(A) is n×k.</summary>
    public void Dsyrk(int layout, int uplo, int trans, int n, int k, double alpha, double* a, int lda, double beta, double* c, int ldc)
    {
        if (dsyrk == null) throw new InvalidOperationException($"cblas_dsyrk needs OpenBLAS ({string.Join(", ", OpenBlasCandidates)}): {InstallHint}");
        dsyrk(layout, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
    }
}
