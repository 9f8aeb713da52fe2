using Alds.Engine.Analysis;
using Alds.Engine.Caching;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Caching;

public class AnalysisCacheTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => _dir = Directory.CreateTempSubdirectory("alds-cache-").FullName;
    [TearDown] public void TearDown() => Directory.Delete(_dir, true);

    private static readonly LayerSpec Layer = new("l", LayerKind.Conv, 8, 4, 3, 3, "l.weight", null);

    private static double[] Weight(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)Layer.Params).Select(_ => rng.NextDouble()).ToArray();
    }

    private static IReadOnlyList<SchemeOption> Analyze(double[] w)
    {
        using var b = new CpuSpectralBackend();
        return b.AnalyzeLayer(Layer, w, [0], [1, 2, 4]);
    }

    [Test]
    public void PutThenTryGet_SameKey_ReturnsIdenticalCurves()
    {
        var cache = new AnalysisCache(_dir);
        var w = Weight(1);
        var key = AnalysisCache.Key(Layer, w, 0, [1, 2, 4]);
        var options = Analyze(w);
        cache.Put(key, options);
        var back = cache.TryGet(key)!;
        Assert.That(back, Has.Count.EqualTo(options.Count));
        for (int q = 0; q < options.Count; q++)
        {
            Assert.That(back[q].ErrorsMax, Is.EqualTo(options[q].ErrorsMax).AsCollection);
            Assert.That(back[q].ErrorsRss, Is.EqualTo(options[q].ErrorsRss).AsCollection);
            Assert.That(back[q].Norm, Is.EqualTo(options[q].Norm));
        }
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary files left");
    }

    [Test]
    public void Key_DifferentBytesSchemeOrGroups_Differs()
    {
        var w = Weight(1);
        var key = AnalysisCache.Key(Layer, w, 0, [1, 2, 4]);
        var w2 = (double[])w.Clone();
        w2[5] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(w2[5]) ^ 1);
        Assert.That(AnalysisCache.Key(Layer, w2, 0, [1, 2, 4]), Is.Not.EqualTo(key));
        Assert.That(AnalysisCache.Key(Layer, w, 1, [1, 2, 4]), Is.Not.EqualTo(key));
        Assert.That(AnalysisCache.Key(Layer, w, 0, [1, 2]), Is.Not.EqualTo(key));
    }

    [Test]
    public void TryGet_EveryFlippedByteOrTruncation_Rejected()
    {
        var cache = new AnalysisCache(_dir);
        var w = Weight(2);
        var key = AnalysisCache.Key(Layer, w, 0, [1, 2, 4]);
        var bytes = CacheEntryFormat.Encode(key, Analyze(w));
        for (int i = 0; i < bytes.Length; i += 7)
        {
            var bad = (byte[])bytes.Clone();
            bad[i] ^= 0x20;
            Assert.That(CacheEntryFormat.TryDecode(bad, key), Is.Null, $"flipped byte {i}");
        }
        for (int len = 0; len < bytes.Length; len += 13)
            Assert.That(CacheEntryFormat.TryDecode(bytes.AsSpan(0, len), key), Is.Null, $"truncated to {len}");
        Assert.That(CacheEntryFormat.TryDecode(bytes, key + 1), Is.Null, "entry stored under another key");
    }

    [Test]
    public void TryGet_CorruptEntry_RejectedThenPutRestores() // the sweep path: CacheRecoveryTests
    {
        var cache = new AnalysisCache(_dir);
        var w = Weight(3);
        var key = AnalysisCache.Key(Layer, w, 0, [1, 2, 4]);
        cache.Put(key, Analyze(w));
        File.WriteAllBytes(cache.PathOf(key), [1, 2, 3]);
        Assert.That(cache.TryGet(key), Is.Null);
        Assert.That(cache.Rejected, Is.EqualTo(1));
        cache.Put(key, Analyze(w));
        Assert.That(cache.TryGet(key), Is.Not.Null);
    }
}

public class ModelManifestTests
{
    [Test]
    public void SweepWithCache_ThenTryLoad_SameCurvesWithoutOpeningModel()
    {
        var dir = Directory.CreateTempSubdirectory("alds-manifest-").FullName;
        try
        {
            var model = Path.Combine(dir, "m.safetensors");
            var rng = new Random(5);
            var w = new Alds.Engine.IO.SafetensorsWriter();
            w.AddFloat32("a.weight", Alds.Engine.Tensors.DType.F32, [6, 4, 3, 3], Enumerable.Range(0, 216).Select(_ => (float)rng.NextDouble()).ToArray());
            w.AddFloat32("b.weight", Alds.Engine.Tensors.DType.F32, [5, 8], Enumerable.Range(0, 40).Select(_ => (float)rng.NextDouble()).ToArray());
            w.WriteTo(model);
            var cache = new AnalysisCache(Path.Combine(dir, "cache"));
            var options = SweepOptions.SchemeZero;
            var key = ModelManifest.Key(model, LayerFilter.Default, options);
            Assert.That(ModelManifest.TryLoad(cache, key, options), Is.Null);

            using (var source = Alds.Engine.Models.ModelSources.Open(model))
            {
                using var backend = new CachedSpectralBackend(new CpuSpectralBackend(), cache);
                var direct = SpectrumSweep.Run(source, backend, options);
                backend.SaveManifest(key, source);
                var (loaded, modelParams) = ModelManifest.TryLoad(cache, key, options)!.Value;
                Assert.That(modelParams, Is.EqualTo(216 + 40));
                Assert.That(loaded.Layers.Select(l => l.Layer), Is.EqualTo(direct.Layers.Select(l => l.Layer)));
                for (int l = 0; l < direct.Layers.Count; l++)
                    for (int o = 0; o < direct.Layers[l].Options.Count; o++)
                        Assert.That(loaded.Layers[l].Options[o].ErrorsMax, Is.EqualTo(direct.Layers[l].Options[o].ErrorsMax).AsCollection);
            }

            // A changed model byte gives another key; a deleted entry invalidates the manifest.
            var bytes = File.ReadAllBytes(model);
            bytes[^1] ^= 1;
            File.WriteAllBytes(model, bytes);
            Assert.That(ModelManifest.Key(model, LayerFilter.Default, options), Is.Not.EqualTo(key));
            foreach (var f in Directory.GetFiles(cache.Directory, "*.spectra").Take(1)) File.Delete(f);
            Assert.That(ModelManifest.TryLoad(cache, key, options), Is.Null);
        }
        finally { Directory.Delete(dir, true); }
    }
}
