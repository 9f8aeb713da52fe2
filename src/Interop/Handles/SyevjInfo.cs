namespace Alds.Interop;

/// <summary>A <c>syevjInfo_t</c>: Jacobi eigen-solver settings.</summary>
internal sealed class SyevjInfo : GpuHandle
{
    private SyevjInfo(nint raw) : base(raw) { }

    /// <summary>Creates the settings with the given tolerance and sweep limit.</summary>
    public static SyevjInfo Create(double tolerance, int maxSweeps)
    {
        CusolverException.ThrowIfFailed(Cusolver.DnCreateSyevjInfo(out var raw));
        var info = new SyevjInfo(raw);
        try
        {
            CusolverException.ThrowIfFailed(Cusolver.DnXsyevjSetTolerance(info, tolerance));
            CusolverException.ThrowIfFailed(Cusolver.DnXsyevjSetMaxSweeps(info, maxSweeps));
            return info;
        }
        catch
        {
            info.Dispose();
            throw;
        }
    }

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cusolver.DnDestroySyevjInfo(handle) == CusolverStatus.Success);
}
