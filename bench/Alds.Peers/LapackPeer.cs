using Alds.Engine;

namespace Alds.Peers;

/// <summary>
/// LAPACK <c>dgesdd</c> (values only) through <see cref="Lapacke"/>, the yardstick of <c>alds bench svd</c>. Loaded on
/// first use; its absence is reported (<see cref="IsAvailable"/>, or a one-line <see cref="MissingComponentException"/>).
/// </summary>
public static unsafe class LapackPeer
{
    /// <summary>What to install when the peer is missing.</summary>
    public const string InstallHint = Lapacke.InstallHint;

    /// <summary>True when LAPACKE could be loaded; otherwise <paramref name="reason"/> says what to install.</summary>
    public static bool IsAvailable(out string? reason)
    {
        Lapacke.TryDefault(out var error);
        reason = error is null ? null : Unavailable(error);
        return reason is null;
    }

    /// <summary>Pins OpenBLAS to <paramref name="threads"/> threads (no-op when OpenBLAS is absent).</summary>
    public static void SetThreads(int threads) => Require().SetThreads(threads);

    /// <summary>
    /// All singular values (descending) of the m×n row-major matrix <paramref name="a"/> by <c>dgesdd</c>,
    /// into <paramref name="sigma"/> (min(m, n) values). <paramref name="work"/> (m·n) is overwritten.
    /// </summary>
    public static void SingularValues(ReadOnlySpan<double> a, int m, int n, Span<double> work, Span<double> sigma)
    {
        var lapacke = Require();
        if (a.Length < (long)m * n || work.Length < (long)m * n || sigma.Length < Math.Min(m, n))
            throw new ArgumentException("matrix, work or sigma too short");
        a[..(m * n)].CopyTo(work);
        int info;
        fixed (double* w = work, s = sigma)
            info = lapacke.Dgesdd(Lapacke.RowMajor, (byte)'N', m, n, w, n, s, null, m, null, n); // LAPACKE checks ldu, ldvt even for jobz N
        if (info != 0) throw new InvalidOperationException($"LAPACKE_dgesdd returned info = {info}");
    }

    private static string Unavailable(string error) => $"the LAPACK peer is unavailable: {error} (install it: {InstallHint})";

    private static Lapacke Require() =>
        Lapacke.TryDefault(out var error) ?? throw new MissingComponentException(Unavailable(error!));
}
