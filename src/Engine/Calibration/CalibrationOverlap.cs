using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Calibration;

/// <summary>
/// Evaluation inputs that were calibration inputs of a data-aware model, told from the <c>calibration</c> record of the
/// plan in its <c>alds.plan</c> metadata: images by content hash (<c>images[].xxhash64</c>, whatever the file names),
/// texts by the hash of their text as loaded (<c>texts[]</c>, <see cref="Evaluation.TextCorpus.ContentHash"/>, whatever
/// file or corpus they come from).
/// </summary>
public static class CalibrationOverlap
{
    /// <summary>The paths among <paramref name="images"/> that calibrated <paramref name="compressedOnnx"/>; empty when none or data-free.</summary>
    public static IReadOnlyList<string> Find(string compressedOnnx, IReadOnlyList<string> images)
    {
        var hashes = CalibrationHashes(compressedOnnx, "images");
        if (hashes.Count == 0) return [];
        return images.Where(p => File.Exists(p) && hashes.Contains(Evaluation.ImageSamples.ContentHash(p).ToString("x16"))).ToArray();
    }

    /// <summary>How many of <paramref name="texts"/> calibrated <paramref name="compressedOnnx"/>; 0 when none or data-free.</summary>
    public static int CountTexts(string compressedOnnx, IReadOnlyList<string> texts)
    {
        var hashes = CalibrationHashes(compressedOnnx, "texts");
        return hashes.Count == 0 ? 0 : texts.Count(t => hashes.Contains(Evaluation.TextCorpus.ContentHash(t).ToString("x16")));
    }

    private static HashSet<string> CalibrationHashes(string path, string list)
    {
        var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Best effort: a model that cannot be read is reported by the evaluation itself, with its own line.
        if (!File.Exists(path)) return result;
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(path, options);
            if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(Export.OnnxRewriter.PlanMetadataKey, out var plan)) return result;
            using var doc = JsonDocument.Parse(plan);
            if (!doc.RootElement.TryGetProperty("calibration", out var cal) || !cal.TryGetProperty(list, out var items)) return result;
            foreach (var item in items.EnumerateArray())
            {
                var hash = item.ValueKind == JsonValueKind.String ? item
                    : item.TryGetProperty("xxhash64", out var h) ? h : default;
                if (hash.ValueKind == JsonValueKind.String && hash.GetString() is { } s) result.Add(s);
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or JsonException or IOException or InvalidOperationException or UnauthorizedAccessException) { }
        return result;
    }
}
