using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Calibration;

/// <summary>
/// Evaluation images that were calibration images of a data-aware model: the <c>calibration.images</c> of the plan in its
/// <c>alds.plan</c> metadata, matched by content hash (XxHash64), whatever the file names.
/// </summary>
public static class CalibrationOverlap
{
    /// <summary>The paths among <paramref name="images"/> that calibrated <paramref name="compressedOnnx"/>; empty when none or data-free.</summary>
    public static IReadOnlyList<string> Find(string compressedOnnx, IReadOnlyList<string> images)
    {
        var hashes = CalibrationHashes(compressedOnnx);
        if (hashes.Count == 0) return [];
        return images.Where(p => File.Exists(p) && hashes.Contains(Evaluation.ImageSamples.ContentHash(p).ToString("x16"))).ToArray();
    }

    private static HashSet<string> CalibrationHashes(string path)
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
            if (doc.RootElement.TryGetProperty("calibration", out var cal) && cal.TryGetProperty("images", out var list))
                foreach (var image in list.EnumerateArray())
                    if (image.TryGetProperty("xxhash64", out var h) && h.GetString() is { } hash) result.Add(hash);
        }
        catch (Exception e) when (e is OnnxRuntimeException or JsonException or IOException or InvalidOperationException or UnauthorizedAccessException) { }
        return result;
    }
}
