using System.Runtime.Intrinsics.X86;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Costs;

/// <summary>
/// Where a latency table was measured: the machine (CPU model, logical CPUs, SIMD level: identical machines share
/// tables), the ONNX Runtime version, the intra-op thread count and the batch size. A table is reused only on an
/// equal environment; anything else is re-measured, never reused silently.
/// </summary>
public sealed record LatencyEnvironment(string Machine, string OrtVersion, int Threads, long Batch)
{
    /// <summary>This process's environment for <paramref name="threads"/> intra-op threads and batch <paramref name="batch"/>.</summary>
    public static LatencyEnvironment Current(int threads, long batch) =>
        new(MachineName(), OrtEnv.Instance().GetVersionString(), threads, batch);

    /// <summary>ONNX Runtime's NCHWc block on this CPU: 16 channels with AVX-512, 8 with AVX2, else none (1).</summary>
    public static int NchwcBlock => Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 1;

    /// <summary>How <paramref name="other"/> differs from this environment, one clause per field; empty when equal.</summary>
    internal string Differences(LatencyEnvironment other)
    {
        var parts = new List<string>();
        if (Machine != other.Machine) parts.Add($"machine '{other.Machine}' (here '{Machine}')");
        if (OrtVersion != other.OrtVersion) parts.Add($"ONNX Runtime {other.OrtVersion} (here {OrtVersion})");
        if (Threads != other.Threads) parts.Add($"{other.Threads} threads (here {Threads})");
        if (Batch != other.Batch) parts.Add($"batch {other.Batch} (here {Batch})");
        return string.Join(", ", parts);
    }

    private static string MachineName()
    {
        string cpu = "unknown CPU";
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) { cpu = line[(line.IndexOf(':') + 1)..].Trim(); break; }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        string isa = Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : "no AVX2";
        return $"{cpu}; {Environment.ProcessorCount} logical CPUs; {isa}";
    }
}
