using Alds.Engine.Analysis;
using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.Analysis;

public class SpectrumSweepTests
{
    [Test]
    public void Run_FourLayers_OneLayerInFlightAndSameBitsAsEachLayerAlone()
    {
        var dir = Directory.CreateTempSubdirectory("alds-sweep-").FullName;
        try
        {
            var path = Path.Combine(dir, "m.safetensors");
            var rng = new Random(11);
            float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            var w = new SafetensorsWriter();
            w.AddFloat32("a.weight", DType.F32, [48, 16, 3, 3], Values(48 * 16 * 9));
            w.AddFloat32("b.weight", DType.F32, [8, 32, 3, 3], Values(8 * 32 * 9));
            w.AddFloat32("c.weight", DType.F32, [40, 24], Values(40 * 24));
            w.AddFloat32("d.weight", DType.F32, [64, 64, 1, 1], Values(64 * 64));
            w.WriteTo(path);
            using var source = ModelSources.Open(path);
            using var backend = new CpuSpectralBackend();
            var counting = new InFlightCounter(backend);
            var swept = SpectrumSweep.Run(source, counting, SweepOptions.AllSchemes);
            Assert.That(counting.Calls, Is.GreaterThanOrEqualTo(source.Layers.Count));
            Assert.That(counting.MaxInFlight, Is.EqualTo(1), "one layer's working set at a time");
            Assert.That(swept.Layers.Select(l => l.Layer.Name), Is.EqualTo(source.Layers.Select(l => l.Name)));
            for (int l = 0; l < source.Layers.Count; l++)
            {
                var alone = SpectrumSweep.AnalyzeLayer(source, backend, SweepOptions.AllSchemes, source.Layers[l]);
                Assert.That(swept.Layers[l].Options.Count, Is.EqualTo(alone.Options.Count));
                for (int o = 0; o < alone.Options.Count; o++)
                {
                    Assert.That(swept.Layers[l].Options[o].ErrorsMax, Is.EqualTo(alone.Options[o].ErrorsMax).AsCollection);
                    Assert.That(swept.Layers[l].Options[o].ErrorsRss, Is.EqualTo(alone.Options[o].ErrorsRss).AsCollection);
                }
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Counts how many layer analyses run at once.</summary>
    private sealed class InFlightCounter(ISpectralBackend inner) : ISpectralBackend
    {
        private int _inFlight;
        public int MaxInFlight;
        public int Calls;
        public string Name => inner.Name;

        public IReadOnlyList<SchemeOption> AnalyzeLayer(Alds.Engine.Layers.LayerSpec layer, ReadOnlySpan<double> weight, IReadOnlyList<int> schemes, IReadOnlyList<int> groupCounts)
        {
            int now = Interlocked.Increment(ref _inFlight);
            Interlocked.Increment(ref Calls);
            lock (this) MaxInFlight = Math.Max(MaxInFlight, now);
            try
            {
                Thread.Sleep(5); // widen the window in which an overlapping call would be seen
                return inner.AnalyzeLayer(layer, weight, schemes, groupCounts);
            }
            finally { Interlocked.Decrement(ref _inFlight); }
        }

        public void Dispose() { }
    }
}
