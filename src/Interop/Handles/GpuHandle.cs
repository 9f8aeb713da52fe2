using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary>
/// Base of the native handles: invalid when zero. Subclasses are created only by static
/// factories that check the status, and their release never throws.
/// </summary>
internal abstract class GpuHandle : SafeHandle
{
    private protected GpuHandle() : base(0, ownsHandle: true) { }

    private protected GpuHandle(nint raw) : base(0, ownsHandle: true) => SetHandle(raw);

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Runs a destroy call from <see cref="SafeHandle.ReleaseHandle"/> without letting anything escape.</summary>
    private protected static bool ReleaseQuietly(Func<bool> destroy)
    {
        try { return destroy(); }
        catch { return false; } // the library may already be unloaded at process exit
    }
}
