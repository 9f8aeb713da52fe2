using System.Diagnostics;

namespace Alds.Peers;

/// <summary>
/// BENCHMARK-ONLY: one group's rank-j factorisation (<see cref="Alds.Engine.Linalg.TruncatedSvd"/> on a seeded float32 matrix)
/// against numpy's Gram + <c>eigh</c> + GEMM on the same matrix in the same run (<c>bench/peers/factor_numpy.py</c>).
/// </summary>
public static class FactorBenchmark
{
    public sealed record Result(int M, int N, int Rank, int Repeat, double OursSeconds, double? NumpySeconds, double? Speedup,
        double OursNextOverFirst, double? NumpyNextOverFirst, string PeerNote);

    public static Result Run(int m, int n, int rank, int repeat, bool withPeer, CancellationToken cancel = default)
    {
        var g = new float[(long)m * n];
        var rng = new Random(1234);
        for (long i = 0; i < g.LongLength; i++) g[i] = (float)(rng.NextDouble() * 2 - 1);
        var times = new List<double>();
        double ratio = 0;
        for (int r = 0; r < repeat; r++)
        {
            cancel.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var svd = Alds.Engine.Linalg.TruncatedSvd.Compute(g, m, n, n, rank, -1);
            times.Add(watch.Elapsed.TotalSeconds);
            ratio = svd.LargestSingularValue > 0 ? svd.NextSingularValue / svd.LargestSingularValue : 0;
        }
        double ours = SvdBenchmark.MedianOf(times.ToArray()); // no warm-up runs: one run is tens of seconds
        if (!withPeer) return new Result(m, n, rank, repeat, ours, null, null, ratio, null, "numpy peer skipped");
        var peer = PythonPeer.Find("factor_numpy.py", out var reason);
        if (peer is null) return new Result(m, n, rank, repeat, ours, null, null, ratio, null, reason!);
        string file = Path.Combine(Path.GetTempPath(), $"alds-factor-{Environment.ProcessId}.npy");
        try
        {
            WriteNpy(file, g, m, n);
            using var doc = peer.Run([file, rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
                repeat.ToString(System.Globalization.CultureInfo.InvariantCulture)], null, cancel);
            double numpy = doc.RootElement.GetProperty("median_s").GetDouble();
            double numpyRatio = doc.RootElement.GetProperty("next_over_first").GetDouble();
            string note = $"numpy {doc.RootElement.GetProperty("numpy").GetString()}: Gram (float64) + eigh + GEMM; stages {doc.RootElement.GetProperty("stages")}";
            return new Result(m, n, rank, repeat, ours, numpy, numpy / ours, ratio, numpyRatio, note);
        }
        finally { File.Delete(file); }
    }

    private static void WriteNpy(string path, float[] g, int m, int n)
    {
        using var f = File.Create(path);
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({m}, {n}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        f.Write(BitConverter.GetBytes((ushort)header.Length));
        f.Write(System.Text.Encoding.ASCII.GetBytes(header));
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(g.AsSpan()));
    }
}
