using System.Globalization;

namespace Alds.Peers;

/// <summary>The machine a benchmark ran on: CPU model, logical cores and the load average at the time.</summary>
public sealed record MachineInfo(string Cpu, int LogicalCores, double Load1, double Load5, double Load15, string Runtime)
{
    /// <summary>Reads <c>/proc/cpuinfo</c> and <c>/proc/loadavg</c> (Linux); "unknown" and NaN elsewhere.</summary>
    public static MachineInfo Current()
    {
        string cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo")
                .Where(l => l.StartsWith("model name", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault() ?? cpu;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        var (l1, l5, l15) = LoadAverage();
        return new MachineInfo(cpu, Environment.ProcessorCount, l1, l5, l15, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
    }

    /// <summary>The 1, 5 and 15 minute load averages, NaN when unknown.</summary>
    public static (double, double, double) LoadAverage()
    {
        try
        {
            var f = File.ReadAllText("/proc/loadavg").Split(' ');
            return (Parse(f[0]), Parse(f[1]), Parse(f[2]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
    }

    private static double Parse(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    /// <summary>One line: "CPU, N logical cores, load a / b / c".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cpu}, {LogicalCores} logical cores, load average {Load1:F2} / {Load5:F2} / {Load15:F2}, {Runtime}");
}
