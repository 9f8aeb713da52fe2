namespace Alds.Interop;

/// <summary>A <c>gesvdjInfo_t</c>: Jacobi SVD settings.</summary>
internal sealed class GesvdjInfo : GpuHandle
{
    private GesvdjInfo(nint raw) : base(raw) { }

    /// <summary>Creates the settings with the given tolerance and sweep limit.</summary>
    public static GesvdjInfo Create(double tolerance, int maxSweeps)
    {
        CusolverException.ThrowIfFailed(Cusolver.DnCreateGesvdjInfo(out var raw));
        var info = new GesvdjInfo(raw);
        try
        {
            CusolverException.ThrowIfFailed(Cusolver.DnXgesvdjSetTolerance(info, tolerance));
            CusolverException.ThrowIfFailed(Cusolver.DnXgesvdjSetMaxSweeps(info, maxSweeps));
            return info;
        }
        catch
        {
            info.Dispose();
            throw;
        }
    }

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cusolver.DnDestroyGesvdjInfo(handle) == CusolverStatus.Success);
}
