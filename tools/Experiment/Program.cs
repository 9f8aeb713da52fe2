using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Experiment;

/// <summary>
/// Helper of <c>scripts/experiment.sh</c>:
/// <c>collect RAWDIR OUT.csv</c> joins each <c>NAME_kKEEP.plan.json</c> (from <c>alds compress --json</c>) with its
/// <c>NAME_kKEEP.eval.json</c> (from <c>alds eval --json</c>) into one CSV row;
/// <c>plot CSV OUT.png COLUMN "Y label" "title"</c> draws COLUMN against keep, one line per configuration;
/// <c>ortcheck MODEL...</c> loads each ONNX file in ONNX Runtime with every graph optimisation off and on, runs it on
/// one seeded random input and checks that both outputs are finite and agree;
/// <c>ortopt MODEL OUT.onnx</c> writes the graph ONNX Runtime runs after its optimisations;
/// <c>orttiming A B RUNS</c> and <c>ortprofile MODEL RUNS PREFIX</c>: see <see cref="OrtTiming"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["collect", var dir, var csv] => Collect(dir, csv),
                ["collect-text", var dir, var csv] => TextExperiment.Collect(dir, csv),
                ["extract-minilm", var dll, var folder] => TextExperiment.ExtractMiniLm(dll, folder),
                ["plot", var csv, var png, var column, var ylabel, var title] => Plot(csv, png, column, ylabel, title),
                ["ortcheck", .. var models] when models.Length > 0 => OrtCheck(models),
                ["ortopt", var model, var optimized] => OrtOptimized(model, optimized),
                ["orttiming", var a, var b, var runs] => OrtTiming.Timing(a, b, int.Parse(runs, CultureInfo.InvariantCulture)),
                ["orttiming-global", var a, var b, var runs] => OrtTiming.TimingGlobal(a, b, int.Parse(runs, CultureInfo.InvariantCulture)),
                ["ortprofile", var model, var runs, var prefix] => OrtTiming.Profile(model, int.Parse(runs, CultureInfo.InvariantCulture), prefix),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            Console.Error.WriteLine($"alds-experiment: {e.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: alds-experiment collect RAWDIR OUT.csv | collect-text RAWDIR OUT.csv | extract-minilm DLL FOLDER | plot CSV OUT.png COLUMN YLABEL TITLE | ortcheck MODEL... | ortopt MODEL OUT.onnx | orttiming[-global] A B RUNS | ortprofile MODEL RUNS PREFIX");
        return 2;
    }

    private static readonly string[] Columns =
    [
        "config", "optimizer", "schemes", "error", "align", "max_groups_opt", "keep", "budget", "params_before", "params_after",
        "planned_max_error", "measured_max_residual", "layers_compressed", "largest_k", "macs_kept",
        "rel_output_error", "max_rel_output_error", "cosine",
        "latency_original_ms", "latency_compressed_ms", "latency_original_p90_ms", "latency_compressed_p90_ms", "speedup",
        "runs", "inputs",
    ];

    /// <summary>File names are <c>CONFIG_kKEEP[_aALIGN][_gMAXGROUPS].plan.json</c>; the script writes them so.</summary>
    private static int Collect(string dir, string csvPath)
    {
        var rows = new List<string> { string.Join(',', Columns) };
        foreach (var planPath in Directory.GetFiles(dir, "*.plan.json").Order(StringComparer.Ordinal))
        {
            string stem = Path.GetFileName(planPath)[..^".plan.json".Length];
            string evalPath = Path.Combine(dir, stem + ".eval.json");
            if (!File.Exists(evalPath)) throw new IOException($"{evalPath}: missing (the eval of {planPath})");
            using var plan = JsonDocument.Parse(File.ReadAllText(planPath));
            using var eval = JsonDocument.Parse(File.ReadAllText(evalPath));
            var p = plan.RootElement;
            var e = eval.RootElement;
            var budget = p.GetProperty("budget");
            var layers = p.GetProperty("layers").EnumerateArray().ToList();
            var compressed = layers.Where(l => l.GetProperty("compressed").GetBoolean()).ToList();
            double measured = compressed.Count == 0 ? 0 : compressed.Max(l => l.GetProperty("rel_error_measured").GetDouble());
            int largestK = compressed.Count == 0 ? 0 : compressed.Max(l => l.GetProperty("groups").GetInt32());
            var parts = stem.Split('_');
            string Part(char tag) => parts.Skip(1).FirstOrDefault(s => s[0] == tag)?[1..] ?? "";
            double original = e.GetProperty("latency_ms").GetProperty("original").GetDouble();
            double compressedMs = e.GetProperty("latency_ms").GetProperty("compressed").GetDouble();
            var row = new object[]
            {
                parts[0], p.GetProperty("optimizer").GetString()!,
                string.Join(' ', p.GetProperty("schemes").EnumerateArray().Select(s => s.GetInt32())),
                p.GetProperty("error").GetString()!, Part('a') is "" ? "1" : Part('a'), Part('g') is "" ? "all" : Part('g'),
                budget.GetProperty("keep").GetDouble(), budget.GetProperty("params").GetInt64(),
                budget.GetProperty("params_before").GetInt64(), budget.GetProperty("params_after").GetInt64(),
                p.GetProperty("max_rel_error").GetDouble(), measured, compressed.Count, largestK, MacsKept(layers),
                e.GetProperty("rel_output_error").GetDouble(), e.GetProperty("max_rel_output_error").GetDouble(),
                e.GetProperty("cosine").GetDouble(),
                original, compressedMs,
                e.GetProperty("latency_p90_ms").GetProperty("original").GetDouble(),
                e.GetProperty("latency_p90_ms").GetProperty("compressed").GetDouble(),
                original / compressedMs, e.GetProperty("runs").GetInt32(), e.GetProperty("inputs").GetInt32(),
            };
            rows.Add(string.Join(',', row.Select(Format)));
        }
        File.WriteAllText(csvPath, string.Join('\n', rows) + "\n", new UTF8Encoding(false));
        Console.WriteLine($"wrote {csvPath} ({rows.Count - 1} rows)");
        return 0;
    }

    /// <summary>
    /// Fraction of the conv multiply-adds kept, for ResNet18 at 224×224 only: a layer's output side follows from its
    /// out channels (64: 56, or 112 for the stem; 128: 28; 256: 14; 512: 7). Factor MACs are taken as the factor
    /// params times the output area: exact for scheme 0 (the stride is on the encoder), an underestimate for a
    /// strided layer whose stride moves to the decoder.
    /// </summary>
    private static double MacsKept(List<JsonElement> layers)
    {
        double before = 0, after = 0;
        foreach (var l in layers)
        {
            var shape = l.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            int side = shape[0] switch { 64 => shape[1] == 3 ? 112 : 56, 128 => 28, 256 => 14, 512 => 7, _ => 0 };
            if (side == 0) return double.NaN;
            before += l.GetProperty("params_before").GetInt64() * (double)side * side;
            after += l.GetProperty("params_after").GetInt64() * (double)side * side;
        }
        return after / before;
    }

    private static string Format(object v) => v switch
    {
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString()!,
    };

    private static int Plot(string csvPath, string pngPath, string column, string ylabel, string title)
    {
        var lines = File.ReadAllLines(csvPath).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        int config = Array.IndexOf(header, "config"), keep = Array.IndexOf(header, "keep"), y = Array.IndexOf(header, column);
        if (config < 0 || keep < 0 || y < 0) throw new FormatException($"{csvPath}: needs columns config, keep and {column}");
        var series = lines.Skip(1).Select(l => l.Split(','))
            .GroupBy(c => c[config])
            .Select(g => (Name: g.Key, Points: g.Select(c => (X: Parse(c[keep]), Y: Parse(c[y]))).OrderBy(p => p.X).ToArray()))
            .ToList();

        var plot = new ScottPlot.Plot();
        var markers = new[] { ScottPlot.MarkerShape.FilledCircle, ScottPlot.MarkerShape.FilledSquare, ScottPlot.MarkerShape.FilledTriangleUp,
            ScottPlot.MarkerShape.FilledDiamond, ScottPlot.MarkerShape.OpenCircle, ScottPlot.MarkerShape.OpenSquare,
            ScottPlot.MarkerShape.OpenTriangleUp, ScottPlot.MarkerShape.OpenDiamond };
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var scatter = plot.Add.Scatter(s.Points.Select(p => p.X).ToArray(), s.Points.Select(p => p.Y).ToArray());
            scatter.LegendText = s.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 9;
            scatter.MarkerShape = markers[i % markers.Length];
            if (s.Name.StartsWith("exact", StringComparison.Ordinal) == false) scatter.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel("keep (fraction of compressible parameters kept)");
        plot.YLabel(ylabel);
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.Axes.Title.Label.FontSize = 18;
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Left.Label.FontSize = 16;
        plot.Legend.FontSize = 14;
        plot.SavePng(pngPath, 1150, 650);
        Console.WriteLine($"wrote {pngPath}");
        return 0;
    }

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static int OrtCheck(string[] models)
    {
        int failures = 0;
        foreach (var path in models)
        {
            try
            {
                var off = RunOnce(path, GraphOptimizationLevel.ORT_DISABLE_ALL, out string signature);
                var on = RunOnce(path, GraphOptimizationLevel.ORT_ENABLE_ALL, out _);
                double diff = 0, norm = 0;
                for (int i = 0; i < off.Length; i++)
                {
                    diff += (off[i] - on[i]) * (double)(off[i] - on[i]);
                    norm += off[i] * (double)off[i];
                }
                bool finite = off.All(float.IsFinite) && on.All(float.IsFinite);
                double rel = Math.Sqrt(diff / Math.Max(norm, double.Epsilon));
                bool ok = finite && rel < 1e-4;
                Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {path}: {signature}; optimisations off vs on: rel diff {rel:E2}{(finite ? "" : ", non-finite output")}");
                if (!ok) failures++;
            }
            catch (OnnxRuntimeException e)
            {
                Console.WriteLine($"FAIL {path}: {e.Message.Split('\n')[0]}");
                failures++;
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Writes the graph ONNX Runtime actually runs (all optimisations, the eval's settings) to see which kernels a model gets.</summary>
    private static int OrtOptimized(string model, string optimized)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(model, options);
        Console.WriteLine($"wrote {optimized}");
        return 0;
    }

    private static float[] RunOnce(string path, GraphOptimizationLevel level, out string signature)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(path, options);
        if (session.InputMetadata.Values.All(m => m.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64))
            return TextExperiment.RunTokens(session, out signature);
        var (name, meta) = session.InputMetadata.First();
        var shape = meta.Dimensions.Select((d, i) => d > 0 ? d : (i == 0 ? 1 : 224)).ToArray();
        var rng = new Random(20261127);
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 255);
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape.Select(d => (long)d).ToArray());
        using var results = session.Run(new RunOptions(), [name], [input], session.OutputNames);
        var output = results[0];
        signature = $"input {name} [{string.Join(',', shape)}], output {session.OutputNames[0]} [{string.Join(',', output.GetTensorTypeAndShape().Shape)}]";
        return output.GetTensorDataAsSpan<float>().ToArray();
    }
}
