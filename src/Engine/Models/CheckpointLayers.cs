using Alds.Engine.Layers;
using Alds.Engine.Tensors;

namespace Alds.Engine.Models;

/// <summary>
/// Layer discovery for a checkpoint known by its tensor list (safetensors, single or sharded): the shape rules of
/// <see cref="LayerDiscovery"/>, then a Hugging Face <c>config.json</c> beside the weights, when there is one, and
/// the tied-embedding rule: an output projection tied to the input embedding is never factorised (the two are one
/// matrix; factorising one copy would change the other's meaning). Without a config, ties are assumed where the
/// names and shapes say so (the transformers library's default for most model types).
/// </summary>
internal static class CheckpointLayers
{
    public static (IReadOnlyList<LayerSpec> Layers, IReadOnlyList<SkippedTensor> Skipped, TransformerConfig? Config) Discover(
        string modelPath, IReadOnlyList<TensorEntry> tensors, LayerFilter filter)
    {
        var config = TransformerConfig.Beside(modelPath);
        var (layers, skipped) = LayerDiscovery.Discover(tensors, filter);
        var tied = TransformerRoles.TiedToEmbedding(tensors.Select(t => (t.Name, t.Shape)), config?.TieWordEmbeddings ?? true);
        if (tied.Count == 0) return (layers, skipped, config);
        var kept = new List<LayerSpec>();
        var more = skipped.ToList();
        foreach (var l in layers)
        {
            if (tied.TryGetValue(l.WeightTensor, out var embedding))
                more.Add(new SkippedTensor(l.WeightTensor, $"tied to the input embedding '{embedding}'" +
                    (config is null ? " (same shape; no config.json says otherwise)" : " (config.json: tie_word_embeddings)")));
            else kept.Add(l);
        }
        return (kept, more.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(), config);
    }
}
