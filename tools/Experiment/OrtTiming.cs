using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Experiment;

/// <summary>
/// Where a whole-model latency goes (issue 15): <c>orttiming A.onnx B.onnx RUNS</c> times model A alone and alternated
/// with B (two sessions, as <c>alds eval</c>), each with ONNX Runtime's intra-op threads spinning (its default, and
/// eval's) and not spinning (<c>session.intra_op.allow_spinning = 0</c>); <c>ortprofile MODEL RUNS PREFIX</c> writes
/// ONNX Runtime's own profile of RUNS whole-model runs (each kernel's time inside the graph), summarised by
/// <c>scripts/ort_profile_summary.py</c>. Batch 1, eval's session options otherwise, a seeded random input.
/// </summary>
internal static class OrtTiming
{
    private static bool _global;

    /// <summary>Creates ONNX Runtime's environment with one global thread pool; must run before any other ONNX Runtime call.</summary>
    public static int TimingGlobal(string a, string b, int runs)
    {
        var env = new EnvironmentCreationOptions
        {
            threadOptions = new OrtThreadingOptions { GlobalIntraOpNumThreads = Environment.ProcessorCount, GlobalInterOpNumThreads = 1, GlobalSpinControl = true },
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        OrtEnv.CreateInstanceWithOptions(ref env);
        _global = true;
        return Timing(a, b, runs);
    }

    private static SessionOptions Options(bool spin)
    {
        var o = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (!spin) o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (_global) o.DisablePerSessionThreads();
        return o;
    }

    private static OrtValue Input(InferenceSession s, float[] data)
    {
        var shape = s.InputMetadata.First().Value.Dimensions.Select((d, i) => d > 0 ? (long)d : i == 0 ? 1 : 224).ToArray();
        return OrtValue.CreateTensorValueFromMemory(data[..(int)shape.Aggregate(1L, (a, b) => a * b)], shape);
    }

    private static double Time(InferenceSession s, OrtValue input)
    {
        using var ro = new RunOptions();
        long t = Stopwatch.GetTimestamp();
        s.Run(ro, [s.InputMetadata.Keys.First()], [input], s.OutputNames.ToArray()).Dispose();
        return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }

    private static string Stats(List<double> v)
    {
        var s = v.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"fastest {s[0],7:F2} median {s[s.Length / 2],7:F2} p90 {s[(int)(0.9 * (s.Length - 1))],7:F2} ms");
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    public static int Timing(string a, string b, int runs)
    {
        var data = new float[3 * 224 * 224 * 64];
        var rng = new Random(20261203);
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        foreach (bool spin in new[] { true, false })
        {
            using var options = Options(spin);
            using (var sa = new InferenceSession(a, options))
            using (var input = Input(sa, data))
            {
                for (int i = 0; i < 3; i++) Time(sa, input);
                var t = new List<double>();
                for (int i = 0; i < runs; i++) t.Add(Time(sa, input));
                Console.WriteLine($"{(_global ? "global " : "")}{(spin ? "spin   " : "no spin")} A alone:      {Stats(t)}   (load {Load()})");
            }
            using (var sa = new InferenceSession(a, options))
            using (var sb = new InferenceSession(b, options))
            using (var input = Input(sa, data))
            {
                for (int i = 0; i < 3; i++) { Time(sa, input); Time(sb, input); }
                var ta = new List<double>();
                var tb = new List<double>();
                for (int i = 0; i < runs; i++)
                {
                    if (i % 2 == 0) { ta.Add(Time(sa, input)); tb.Add(Time(sb, input)); }
                    else { tb.Add(Time(sb, input)); ta.Add(Time(sa, input)); }
                }
                Console.WriteLine($"{(_global ? "global " : "")}{(spin ? "spin   " : "no spin")} A alternated: {Stats(ta)}; B {Stats(tb)}   (load {Load()})");
            }
        }
        return 0;
    }

    public static int Profile(string model, int runs, string prefix)
    {
        using var options = Options(spin: true);
        options.ProfileOutputPathPrefix = prefix; // read when profiling is switched on
        options.EnableProfiling = true;
        using var session = new InferenceSession(model, options);
        var data = new float[3 * 224 * 224 * 64];
        using var input = Input(session, data);
        for (int i = 0; i < 3 + runs; i++) Time(session, input);
        Console.WriteLine($"wrote {session.EndProfiling()} (load {Load()})");
        return 0;
    }
}
