using System.Runtime.InteropServices;

namespace Alds.Engine.Benchmarks;

/// <summary>
/// BENCHMARK-ONLY: LAPACK <c>dgesdd</c> (values only) through Debian's <c>liblapacke.so.3</c> over OpenBLAS,
/// the yardstick of <c>alds bench svd</c>. The engine never computes with it (DESIGN: LAPACK only in tests
/// and benchmarks); it is loaded on first use and its absence is reported, not fatal to the engine.
/// </summary>
public static unsafe class LapackPeer
{
    /// <summary>What to install when the peer is missing.</summary>
    public const string InstallHint = "apt-get install liblapacke libopenblas0-pthread";

    private const int RowMajor = 101;
    private static readonly Lazy<Native> Loaded = new(Load);

    private sealed class Native
    {
        public delegate* unmanaged<int, byte, int, int, double*, int, double*, double*, int, double*, int, int> Dgesdd;
        public delegate* unmanaged<int, void> SetThreads;
        public string? Error;
    }

    /// <summary>True when LAPACKE could be loaded; otherwise <paramref name="reason"/> says what to install.</summary>
    public static bool IsAvailable(out string? reason)
    {
        reason = Loaded.Value.Error;
        return reason is null;
    }

    /// <summary>Pins OpenBLAS to <paramref name="threads"/> threads (no-op when the symbol is absent).</summary>
    public static void SetThreads(int threads)
    {
        var native = Require();
        if (native.SetThreads != null) native.SetThreads(threads);
    }

    /// <summary>
    /// All singular values (descending) of the m×n row-major matrix <paramref name="a"/> by <c>dgesdd</c>,
    /// into <paramref name="sigma"/> (min(m, n) values). <paramref name="work"/> (m·n) is overwritten.
    /// </summary>
    public static void SingularValues(ReadOnlySpan<double> a, int m, int n, Span<double> work, Span<double> sigma)
    {
        var native = Require();
        if (a.Length < (long)m * n || work.Length < (long)m * n || sigma.Length < Math.Min(m, n))
            throw new ArgumentException("matrix, work or sigma too short");
        a[..(m * n)].CopyTo(work);
        int info;
        fixed (double* w = work, s = sigma)
            info = native.Dgesdd(RowMajor, (byte)'N', m, n, w, n, s, null, m, null, n); // LAPACKE checks ldu, ldvt even for jobz N
        if (info != 0) throw new InvalidOperationException($"LAPACKE_dgesdd returned info = {info}");
    }

    private static Native Require()
    {
        var native = Loaded.Value;
        if (native.Error is not null) throw new ModelFormatException(native.Error);
        return native;
    }

    private static Native Load()
    {
        var native = new Native();
        string[] names = ["liblapacke.so.3", "/usr/lib/x86_64-linux-gnu/liblapacke.so.3", "liblapacke.so"];
        IntPtr handle = IntPtr.Zero;
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out handle)) break;
        if (handle == IntPtr.Zero || !NativeLibrary.TryGetExport(handle, "LAPACKE_dgesdd", out var dgesdd))
        {
            native.Error = $"the LAPACK peer is unavailable: could not load LAPACKE_dgesdd from {string.Join(", ", names)} (install it: {InstallHint})";
            return native;
        }
        native.Dgesdd = (delegate* unmanaged<int, byte, int, int, double*, int, double*, double*, int, double*, int, int>)dgesdd;
        if ((NativeLibrary.TryLoad("libopenblas.so.0", out var blas) || NativeLibrary.TryLoad("/usr/lib/x86_64-linux-gnu/libopenblas.so.0", out blas))
            && NativeLibrary.TryGetExport(blas, "openblas_set_num_threads", out var set))
            native.SetThreads = (delegate* unmanaged<int, void>)set;
        return native;
    }
}
