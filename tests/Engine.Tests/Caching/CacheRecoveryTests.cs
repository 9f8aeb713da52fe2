using Alds.Cli;
using Alds.Engine.Analysis;
using Alds.Engine.Caching;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Tests.Cli;

namespace Alds.Engine.Tests.Caching;

/// <summary>
/// Cache recovery through the real paths (issue 17): a corrupt, truncated or swapped spectra entry and a corrupt
/// manifest are rejected by a sweep, recomputed (the same curves as without a cache) and rewritten; the CLI says
/// so on stderr and prints the same analysis; <c>--cache-only</c> refuses on one line.
/// </summary>
public class CacheRecoveryTests
{
    private TempFolder _folder = null!;
    private string _model = null!;
    private string _cacheDir = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("alds-cache-recovery-");
        _model = _folder["m.safetensors"];
        SmallModel.Write(_model);
        _cacheDir = _folder["cache"];
    }

    [TearDown] public void TearDown() => _folder.Dispose();

    private (ModelAnalysis analysis, AnalysisCache cache) Sweep(bool manifest = false)
    {
        var cache = new AnalysisCache(_cacheDir);
        using var source = ModelSources.Open(_model);
        using var backend = new CachedSpectralBackend(new CpuSpectralBackend(), cache);
        var analysis = SpectrumSweep.Run(source, backend, SweepOptions.SchemeZero);
        if (manifest) backend.SaveManifest(ModelManifest.Key(_model, LayerFilter.Default, SweepOptions.SchemeZero), source);
        return (analysis, cache);
    }

    private static void AssertSameCurves(ModelAnalysis actual, ModelAnalysis expected)
    {
        Assert.That(actual.Layers.Select(l => l.Layer.Name), Is.EqualTo(expected.Layers.Select(l => l.Layer.Name)));
        for (int l = 0; l < expected.Layers.Count; l++)
        {
            Assert.That(actual.Layers[l].Options, Has.Count.EqualTo(expected.Layers[l].Options.Count));
            for (int o = 0; o < expected.Layers[l].Options.Count; o++)
            {
                var (a, e) = (actual.Layers[l].Options[o], expected.Layers[l].Options[o]);
                Assert.That((a.Scheme, a.Groups, a.Norm), Is.EqualTo((e.Scheme, e.Groups, e.Norm)));
                Assert.That(a.ErrorsMax, Is.EqualTo(e.ErrorsMax).AsCollection);
                Assert.That(a.ErrorsRss, Is.EqualTo(e.ErrorsRss).AsCollection);
            }
        }
    }

    private string[] Entries() => [.. Directory.GetFiles(_cacheDir, "*.spectra").Order(StringComparer.Ordinal)];

    public enum Damage { FlippedByte, Truncated, Empty, OtherEntrysBytes }

    private static void Apply(Damage damage, string victim, string other)
    {
        var bytes = File.ReadAllBytes(victim);
        switch (damage)
        {
            case Damage.FlippedByte: bytes[bytes.Length / 2] ^= 0x10; File.WriteAllBytes(victim, bytes); break;
            case Damage.Truncated: File.WriteAllBytes(victim, bytes[..(bytes.Length - 9)]); break;
            case Damage.Empty: File.WriteAllBytes(victim, []); break;
            case Damage.OtherEntrysBytes: File.Copy(other, victim, overwrite: true); break; // a stale entry under this key
        }
    }

    [Test]
    public void Sweep_DamagedEntry_RejectedRecomputedAndRewritten([Values] Damage damage)
    {
        var (reference, first) = Sweep();
        Assert.That((first.Hits, first.Rejected), Is.EqualTo((0, 0)));
        var entries = Entries();
        Assert.That(entries, Has.Length.EqualTo(first.Misses).And.Length.GreaterThanOrEqualTo(2));
        var good = File.ReadAllBytes(entries[0]);
        Apply(damage, entries[0], entries[1]);

        var (again, cache) = Sweep();
        AssertSameCurves(again, reference);
        Assert.That((cache.Hits, cache.Misses, cache.Rejected), Is.EqualTo((entries.Length - 1, 1, 1)), "one entry rejected and recomputed");
        Assert.That(File.ReadAllBytes(entries[0]), Is.EqualTo(good), "the damaged entry was rewritten");
        Assert.That(Entries(), Is.EqualTo(entries), "no extra or temporary files");

        var (third, clean) = Sweep();
        AssertSameCurves(third, reference);
        Assert.That((clean.Hits, clean.Misses, clean.Rejected), Is.EqualTo((entries.Length, 0, 0)));
    }

    [Test]
    public void Manifest_Damaged_TryLoadNullThenSweepRewritesIt([Values(0, 1, 2)] int how)
    {
        var (reference, _) = Sweep(manifest: true);
        var key = ModelManifest.Key(_model, LayerFilter.Default, SweepOptions.SchemeZero);
        var manifest = Directory.GetFiles(_cacheDir, "*.manifest").Single();
        var good = File.ReadAllBytes(manifest);
        Assert.That(ModelManifest.TryLoad(new AnalysisCache(_cacheDir), key, SweepOptions.SchemeZero), Is.Not.Null);

        var bad = (byte[])good.Clone();
        switch (how)
        {
            case 0: bad[bad.Length / 3] ^= 0x01; break;               // checksum no longer matches
            case 1: bad = bad[..(bad.Length - 3)]; break;            // truncated
            case 2: File.WriteAllBytes(Entries()[0], [9, 9, 9]); break; // the manifest is sound, one of its entries is not
        }
        File.WriteAllBytes(manifest, bad);
        Assert.That(ModelManifest.TryLoad(new AnalysisCache(_cacheDir), key, SweepOptions.SchemeZero), Is.Null, "damaged → not trusted");

        var (again, cache) = Sweep(manifest: true);
        AssertSameCurves(again, reference);
        Assert.That(cache.Rejected, Is.EqualTo(how == 2 ? 1 : 0));
        Assert.That(File.ReadAllBytes(manifest), Is.EqualTo(good), "the manifest was rewritten");
        var loaded = ModelManifest.TryLoad(new AnalysisCache(_cacheDir), key, SweepOptions.SchemeZero);
        Assert.That(loaded, Is.Not.Null);
        AssertSameCurves(loaded!.Value.analysis, reference);
    }

    [Test]
    public void Cli_CorruptEntry_SaysRejectedSameAnalysisEntryRewritten()
    {
        var first = AldsRunner.Run("analyze", _model, "--cache", _cacheDir, "--json");
        Assert.That(first.Code, Is.EqualTo(AldsApp.Success), first.ToString());
        var entries = Entries();
        var good = File.ReadAllBytes(entries[^1]);
        Apply(Damage.FlippedByte, entries[^1], entries[0]);

        var second = AldsRunner.Run("analyze", _model, "--cache", _cacheDir, "--json");
        Assert.That(second.Code, Is.EqualTo(AldsApp.Success), second.ToString());
        Assert.That(second.Out, Is.EqualTo(first.Out), "the same analysis as computed from the weights");
        Assert.That(second.Err, Does.Contain($"cache {_cacheDir}: {entries.Length - 1} hits, 1 misses (1 rejected as stale or corrupt)"));
        Assert.That(File.ReadAllBytes(entries[^1]), Is.EqualTo(good), "rewritten");
        CliAssert.NoStackTrace(second);
    }

    [Test]
    public void Cli_CorruptManifest_RecomputesFromEntriesAndRewritesIt()
    {
        var first = AldsRunner.Run("plan", _model, "--keep", "0.5", "--cache", _cacheDir, "--json");
        Assert.That(first.Code, Is.EqualTo(AldsApp.Success), first.ToString());
        var manifest = Directory.GetFiles(_cacheDir, "*.manifest").Single();
        var good = File.ReadAllBytes(manifest);
        File.WriteAllBytes(manifest, [.. good[..10], (byte)(good[10] ^ 0x40), .. good[11..]]);

        var second = AldsRunner.Run("plan", _model, "--keep", "0.5", "--cache", _cacheDir, "--json");
        Assert.That(second.Code, Is.EqualTo(AldsApp.Success), second.ToString());
        Assert.That(second.Out, Is.EqualTo(first.Out));
        // Not trusted: the sweep ran again (every entry a hit) instead of the manifest being used.
        Assert.That(second.Err, Does.Contain($"cache {_cacheDir}: {Entries().Length} hits, 0 misses"));
        Assert.That(File.ReadAllBytes(manifest), Is.EqualTo(good), "the manifest was rewritten");
    }

    [Test]
    public void Cli_CacheOnlyWithCorruptEntry_ExitOneNamingTheLayer()
    {
        Assert.That(AldsRunner.Run("analyze", _model, "--cache", _cacheDir, "--json").Code, Is.EqualTo(AldsApp.Success));
        foreach (var e in Entries()) File.WriteAllBytes(e, [1, 2, 3]);
        var r = AldsRunner.Run("plan", _model, "--keep", "0.5", "--cache", _cacheDir, "--cache-only");
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "--cache-only");
        Assert.That(r.Out, Is.Empty);
    }
}
