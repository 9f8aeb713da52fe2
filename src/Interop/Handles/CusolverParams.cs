namespace Alds.Interop;

/// <summary>A <c>cusolverDnParams_t</c> for the 64-bit API.</summary>
internal sealed class CusolverParams : GpuHandle
{
    private CusolverParams(nint raw) : base(raw) { }

    /// <summary>Creates default parameters.</summary>
    public static CusolverParams Create()
    {
        CusolverException.ThrowIfFailed(Cusolver.DnCreateParams(out var raw));
        return new CusolverParams(raw);
    }

    protected override bool ReleaseHandle() => ReleaseQuietly(() => Cusolver.DnDestroyParams(handle) == CusolverStatus.Success);
}
