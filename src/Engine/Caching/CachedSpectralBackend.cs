using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Models;

namespace Alds.Engine.Caching;

/// <summary>
/// A spectral backend behind a spectra cache: each (layer bytes, scheme, group counts) is read from
/// <see cref="Cache"/> when present and valid, computed by the inner backend and stored otherwise. The keys it used are
/// remembered per layer, so that after a complete sweep <see cref="SaveManifest"/> can record the model (docs/cache.md).
/// The sweep knows nothing of the cache: compose this around any backend.
/// </summary>
public sealed class CachedSpectralBackend(ISpectralBackend inner, AnalysisCache cache) : ISpectralBackend
{
    private readonly Dictionary<string, List<UInt128>> _keys = new(StringComparer.Ordinal);

    /// <summary>The cache read and written.</summary>
    public AnalysisCache Cache => cache;

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public IReadOnlyList<SchemeOption> AnalyzeLayer(LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts)
    {
        if (!_keys.TryGetValue(layer.Name, out var keys)) _keys[layer.Name] = keys = [];
        var result = new List<SchemeOption>();
        foreach (var scheme in schemes)
        {
            var key = AnalysisCache.Key(layer, weight, scheme, groupCounts);
            keys.Add(key);
            var cached = cache.TryGet(key);
            if (cached is null)
            {
                cached = inner.AnalyzeLayer(layer, weight, [scheme], groupCounts);
                cache.Put(key, cached);
            }
            result.AddRange(cached);
        }
        return result;
    }

    /// <summary>
    /// Records <paramref name="source"/>'s layers and the keys of their entries under the manifest
    /// <paramref name="key"/> (<see cref="ModelManifest.Key"/>), after a sweep of every layer through this backend.
    /// </summary>
    public void SaveManifest(UInt128 key, IModelSource source) =>
        ModelManifest.Save(cache, key, source.Tensors.Sum(t => t.ElementCount),
            source.Layers.Select(l => (l, (IReadOnlyList<UInt128>)(_keys.TryGetValue(l.Name, out var k) ? k : []))).ToList());

    /// <summary>Disposes the inner backend.</summary>
    public void Dispose() => inner.Dispose();
}
