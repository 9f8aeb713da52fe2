using Alds.Engine.Layers;
using Alds.Engine.Models;

namespace Alds.Engine.Analysis;

/// <summary>
/// The memory a layer needs to be analysed and factorised, checked against what the machine has before any work
/// starts: a layer that cannot fit is refused up front, naming the tensor and the memory it would need, instead
/// of failing (or swapping) minutes into the run.
/// </summary>
public static class MemoryRequirement
{
    /// <summary>
    /// A lower bound on the bytes one layer's work holds at once: its weight in float64 (<c>8·P</c>) and three
    /// float64 matrices of the order of its smaller Gram at <c>k = 1</c> (the Gram, its working copy and its
    /// eigenvectors: <c>24·p²</c>, <c>p = min(out, in·kh·kw)</c>).
    /// </summary>
    internal static double Bytes(LayerSpec layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        double p = Math.Min((double)layer.Out, (double)layer.In * layer.Kh * layer.Kw);
        return 8.0 * layer.Params + 24.0 * p * p;
    }

    /// <summary>The memory this process may use: the machine's or the container's limit.</summary>
    public static long Available() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Refuses the model when one of its layers cannot be indexed (more than 2³¹ − 1 elements) or needs more than
    /// <paramref name="availableBytes"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">The first such layer, named with its tensor and the memory it needs.</exception>
    public static void Check(IModelSource source, long availableBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        var file = System.IO.Path.GetFileName(source.Path);
        foreach (var layer in source.Layers)
        {
            var shape = string.Join("×", layer.Shape);
            if (layer.Params > int.MaxValue)
                throw new ModelFormatException(
                    $"{file}: tensor '{layer.WeightTensor}' ({shape}, {layer.Params:N0} elements) is too large to compress: " +
                    $"layers are limited to {int.MaxValue:N0} elements (it would need at least {FormatBytes(Bytes(layer))} of memory); " +
                    "exclude it with --exclude");
            double need = Bytes(layer);
            if (need > availableBytes)
                throw new ModelFormatException(
                    $"{file}: tensor '{layer.WeightTensor}' ({shape}) needs at least {FormatBytes(need)} of memory to analyse and " +
                    $"factorise, this machine has {FormatBytes(availableBytes)}; exclude it with --exclude");
        }
    }

    private static string FormatBytes(double bytes) =>
        bytes >= 1e12 ? $"{bytes / 1e12:F1} TB" : bytes >= 1e9 ? $"{bytes / 1e9:F1} GB" : $"{bytes / 1e6:F0} MB";
}
