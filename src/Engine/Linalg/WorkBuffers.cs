using System.Buffers;

namespace Alds.Engine.Linalg;

/// <summary>
/// Float64 work buffers: small ones from a pool of this class's own (no zeroing and page faults per layer), large
/// ones allocated for the call. A pool keeps up to several arrays per power-of-two size class, so pooling Grams and
/// weights of large layers (hundreds of MB each) held gigabytes after the work was done (VGG11: 8.5 GB peak RSS).
/// Large buffers given back are garbage the GC would collect only when its large-object budget runs out, which on a
/// large layer's many Grams meant gigabytes of dead arrays; so once <see cref="CollectAfterBytes"/> of them have been
/// given back, the next large request first collects them. The pool is ours, not <see cref="ArrayPool{T}.Shared"/>,
/// so that <see cref="ReleaseAll"/> can drop what one stage pooled before the next starts: the shared pool keeps its
/// arrays for a minute after their last use, and the analysis's pooled Grams then sat under the factorisation's peak.
/// </summary>
internal static class WorkBuffers
{
    /// <summary>Buffers above this many doubles (32 MiB) are not pooled.</summary>
    internal const int PooledLimit = 1 << 22;

    /// <summary>Bytes of given-back large buffers after which a large request collects them first (64 MiB).</summary>
    /// <remarks>A forced collection of this process's few live objects takes milliseconds; a layer makes tens of them.</remarks>
    internal const long CollectAfterBytes = 1L << 26;

    /// <summary>Arrays kept per size class: never more than were in use at once, so this only caps many-core machines.</summary>
    private static readonly int PerSizeClass = Math.Max(8, 4 * Environment.ProcessorCount);

    private static ArrayPool<double> _pool = ArrayPool<double>.Create(PooledLimit, PerSizeClass);
    private static long _released;

    public static double[] Rent(int length)
    {
        if (length <= PooledLimit) return Volatile.Read(ref _pool).Rent(length);
        CollectReturned();
        return GC.AllocateUninitializedArray<double>(length);
    }

    /// <summary>
    /// Collects given-back large buffers once <see cref="CollectAfterBytes"/> of them are waiting; called before a
    /// large request and where a stage is about to allocate outside this class (the writers' encoded factors).
    /// </summary>
    public static void CollectReturned()
    {
        if (Interlocked.Read(ref _released) < CollectAfterBytes) return;
        Interlocked.Exchange(ref _released, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> of large arrays allocated elsewhere (a layer's factors) that are garbage now,
    /// so that the next <see cref="CollectReturned"/> collects them instead of leaving them to the GC's budget.
    /// </summary>
    public static void NoteReleased(long bytes) => Interlocked.Add(ref _released, bytes);

    public static void Return(double[] buffer)
    {
        if (buffer.Length <= PooledLimit) Volatile.Read(ref _pool).Return(buffer);
        else Interlocked.Add(ref _released, 8L * buffer.Length);
    }

    /// <summary>
    /// Ends a stage (the analysis before the factorisation): drops every pooled array and collects, compacting the
    /// large-object heap, so that the next stage's peak starts from the live data alone. Call when no work is running;
    /// a buffer rented before and given back after goes to the new pool, which is harmless.
    /// </summary>
    public static void ReleaseAll()
    {
        Volatile.Write(ref _pool, ArrayPool<double>.Create(PooledLimit, PerSizeClass));
        Interlocked.Exchange(ref _released, 0);
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
