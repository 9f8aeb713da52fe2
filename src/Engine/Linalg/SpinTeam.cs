namespace Alds.Engine.Linalg;

/// <summary>
/// A few dedicated threads that spin between rounds of independent work items, for kernels that need one parallel
/// round per step (the blocked reduction: one per column, thousands per call).
/// </summary>
/// <remarks>
/// Why not <c>Parallel.For</c>: each call wakes pool threads, and on a loaded machine a woken thread waits for a time
/// slice; at thousands of rounds per call that cost more than the second core gave (order 1024: two threads slower than
/// one). Here the workers stay runnable (spinning, yielding, never sleeping) for the duration of one call. Which
/// thread runs an item does not matter to the results: items are independent and write disjoint memory.
/// </remarks>
internal sealed class SpinTeam : IDisposable
{
    private sealed class Round(Action<int> body, int count)
    {
        public readonly Action<int> Body = body;
        public readonly int Count = count;
        public int Next, Done;
        public Exception? Error;
    }

    private readonly Thread[] _workers;
    private Round? _round;
    private volatile bool _stop;

    /// <summary>A team of <paramref name="threads"/> (the caller included); −1 means one per processor.</summary>
    public SpinTeam(int threads)
    {
        int count = threads < 0 ? Environment.ProcessorCount : Math.Max(threads, 1);
        _workers = new Thread[count - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = "Alds spin team" };
            _workers[i].Start();
        }
    }

    /// <summary>Runs body(0 .. count−1) on the team, the caller included; returns when every item is done.</summary>
    public void For(int count, Action<int> body)
    {
        if (_workers.Length == 0 || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        var round = new Round(body, count);
        Volatile.Write(ref _round, round);
        Drain(round);
        var spin = new SpinWait();
        while (Volatile.Read(ref round.Done) < count) spin.SpinOnce(sleep1Threshold: -1);
        if (round.Error is { } error) throw new AggregateException(error);
    }

    private static void Drain(Round round)
    {
        int i;
        while ((i = Interlocked.Increment(ref round.Next) - 1) < round.Count)
        {
            try { round.Body(i); }
            catch (Exception e) { round.Error ??= e; }
            Interlocked.Increment(ref round.Done);
        }
    }

    private void Work()
    {
        Round? seen = null;
        var spin = new SpinWait();
        while (!_stop)
        {
            var round = Volatile.Read(ref _round);
            if (round is null || round == seen) { spin.SpinOnce(sleep1Threshold: -1); continue; }
            seen = round;
            spin.Reset();
            Drain(round);
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var worker in _workers) worker.Join();
    }
}
