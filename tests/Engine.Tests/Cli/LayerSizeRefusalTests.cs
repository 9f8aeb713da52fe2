using Alds.Engine.Analysis;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// A layer too large for this machine (or for 32-bit indexing) is refused before any weight is read: one line
/// naming the tensor and the memory it would need, exit 1, nothing written. The models are sparse files whose
/// headers declare the huge tensor, so the test needs no disk space.
/// </summary>
public class LayerSizeRefusalTests
{
    private TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    /// <summary>A safetensors file holding an F32 [rows, cols] tensor 'huge.weight' and a small layer, as a sparse file.</summary>
    private string SparseModel(int rows, int cols)
    {
        long big = (long)rows * cols * 4;
        var header = $"{{\"huge.weight\":{{\"dtype\":\"F32\",\"shape\":[{rows},{cols}],\"data_offsets\":[0,{big}]}}," +
                     $"\"small.weight\":{{\"dtype\":\"F32\",\"shape\":[8,8],\"data_offsets\":[{big},{big + 256}]}}}}";
        header += new string(' ', (8 - header.Length % 8) % 8);
        var path = Path.Combine(_dir.Path, "huge.safetensors");
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)header.Length));
        f.Write(System.Text.Encoding.ASCII.GetBytes(header));
        f.SetLength(8 + header.Length + big + 256);
        return path;
    }

    [TestCase("analyze")]
    [TestCase("plan")]
    [TestCase("compress")]
    public void BeyondIndexing_RefusedUpFront(string command)
    {
        var model = SparseModel(200_000, 200_000);
        var output = Path.Combine(_dir.Path, "out.safetensors");
        var args = command == "analyze" ? new[] { command, model } : [command, model, "--keep", "0.5", "-o", output];
        var r = AldsRunner.Run(command == "plan" ? args[..4] : args);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "'huge.weight'", "200000×200000", "TB of memory");
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void BeyondMemory_NamesTheNeed()
    {
        // A square layer just large enough that its weight and Grams (32·n² bytes) exceed this machine's memory.
        long available = MemoryRequirement.Available();
        int n = (int)Math.Ceiling(Math.Sqrt(available / 31.0));
        if ((long)n * n > int.MaxValue) Assert.Ignore($"this machine's {available:N0} bytes fit every indexable layer");
        var model = SparseModel(n, n);
        var r = AldsRunner.Run("analyze", model);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        CliAssert.OneLineError(r, "'huge.weight'", $"{n}×{n}", "needs at least", "of memory", "exclude it");
    }

    [Test]
    public void Excluded_TheRestIsAnalysed()
    {
        var model = SparseModel(200_000, 200_000);
        var r = AldsRunner.Run("analyze", model, "--exclude", "huge", "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain("small"));
    }

    [Test]
    public void Check_AgainstAGivenLimit()
    {
        var layer = new LayerSpec("l", LayerKind.Linear, 4096, 25088, 1, 1, "l.weight", null);
        // 8·4096·25088 + 24·4096² bytes: the float64 weight and three Grams of order 4096.
        Assert.That(MemoryRequirement.Bytes(layer), Is.EqualTo(8.0 * 4096 * 25088 + 24.0 * 4096 * 4096));
        var source = new FakeSource(layer);
        Assert.DoesNotThrow(() => MemoryRequirement.Check(source, 2_000_000_000));
        var e = Assert.Throws<ModelFormatException>(() => MemoryRequirement.Check(source, 1_000_000_000))!;
        Assert.That(e.Message, Does.Contain("'l.weight'").And.Contain("4096×25088").And.Contain("1.2 GB"));
    }

    private sealed class FakeSource(LayerSpec layer) : Alds.Engine.Models.IModelSource
    {
        public string Path => "fake.safetensors";
        public IReadOnlyList<Alds.Engine.Tensors.TensorEntry> Tensors => [];
        public IReadOnlyList<LayerSpec> Layers => [layer];
        public IReadOnlyList<Alds.Engine.Layers.SkippedTensor> Skipped => [];
        public void ReadWeight(LayerSpec l, Span<double> destination) => throw new InvalidOperationException("no weight may be read");
        public void ReadFloat64(string tensor, Span<double> destination) => throw new InvalidOperationException();
        public void CopyRawBytes(string tensor, Stream destination) => throw new InvalidOperationException();
        public void Dispose() { }
    }
}
