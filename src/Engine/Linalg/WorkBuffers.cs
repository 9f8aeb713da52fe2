using System.Buffers;

namespace Alds.Engine.Linalg;

/// <summary>
/// Float64 work buffers: small ones from <see cref="ArrayPool{T}.Shared"/> (no zeroing and page faults per layer),
/// large ones allocated for the call and left to the GC. The shared pool keeps up to several arrays per size class and
/// core, so pooling Grams and weights of large layers (hundreds of MB each) held gigabytes after the work was done
/// (VGG11: 8.5 GB peak RSS).
/// </summary>
internal static class WorkBuffers
{
    /// <summary>Buffers above this many doubles (32 MiB) are not pooled.</summary>
    internal const int PooledLimit = 1 << 22;

    public static double[] Rent(int length) =>
        length <= PooledLimit ? ArrayPool<double>.Shared.Rent(length) : GC.AllocateUninitializedArray<double>(length);

    public static void Return(double[] buffer)
    {
        if (buffer.Length <= PooledLimit) ArrayPool<double>.Shared.Return(buffer);
    }
}
