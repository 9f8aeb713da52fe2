using System.Text.Json;
using Alds.Engine.Analysis;
using Alds.Engine.Export;
using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Tests.Models;

namespace Alds.Engine.Tests.Scale;

/// <summary>Sharded compressed output, against the single-file output of the same tensors and plan as the oracle.</summary>
public class ShardedCompressedWriterTests : ShardedCheckpointTest
{
    private static Plan PlanOf(IModelSource source)
    {
        var analysis = SpectrumSweep.Run(source, new CpuSpectralBackend(), SweepOptions.SchemeZero);
        return Planner.Create(analysis, Budget.FromKeep(0.5, Planner.ParamsBefore(analysis)));
    }

    [Test]
    public void Write_ShardedInput_ShardsHoldTheirOwnTensorsCompressedWithAnIndex()
    {
        using var source = (ShardedSafetensorsModelSource)ModelSources.Open(IndexFile);
        var plan = PlanOf(source);
        Assert.That(plan.Layers.Count(l => l.Compressed), Is.GreaterThan(2), "the test needs compressed layers");
        var output = Dir.File("out");
        CompressedModelWriter.Write(source, plan, output, OutputFormat.Safetensors);

        var index = Path.Combine(output, "model.safetensors.index.json");
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName).Order(),
            Is.EqualTo(source.Shards.Select(s => s.Name).Append("model.safetensors.index.json").Order()), "no temporaries left");
        var map = ScaleModels.ReadWeightMap(index);
        long total = 0;
        int count = 0;
        foreach (var inputShard in source.Shards)
        {
            using var shard = SafetensorsFile.Open(Path.Combine(output, inputShard.Name));
            Assert.That(shard.Metadata[CompressedModelWriter.FormatKey], Is.EqualTo("alds"));
            Assert.That(shard.Metadata, Does.ContainKey(CompressedModelWriter.PlanKey));
            var expected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in inputShard.Tensors)
            {
                var layer = plan.Layers.FirstOrDefault(l => l.Compressed && l.Layer.WeightTensor == t.Name);
                var owner = plan.Layers.FirstOrDefault(l => l.Compressed && l.Layer.BiasTensor == t.Name);
                if (layer is not null) { expected.Add(layer.Layer.Name + ".encoding.weight"); expected.Add(layer.Layer.Name + ".decoding.weight"); }
                else if (owner is not null) expected.Add(owner.Layer.Name + ".decoding.bias");
                else expected.Add(t.Name);
            }
            Assert.That(shard.Tensors.Select(t => t.Name), Is.EquivalentTo(expected), inputShard.Name);
            foreach (var t in shard.Tensors) Assert.That(map[t.Name], Is.EqualTo(inputShard.Name), t.Name);
            total += shard.TensorInfos.Sum(t => t.ByteLength);
            count += shard.Tensors.Count;
        }
        Assert.That(map, Has.Count.EqualTo(count));

        using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
        var metadata = doc.RootElement.GetProperty("metadata");
        Assert.That(metadata.GetProperty("total_size").GetInt64(), Is.EqualTo(total));
        Assert.That(metadata.GetProperty("format").GetString(), Is.EqualTo("alds"));
        Assert.That(PlanJson.Parse(metadata.GetProperty("alds.plan").GetString()!).Layers.Count, Is.EqualTo(plan.Layers.Count));

        using var reopened = ModelSources.Open(output); // the output is itself a valid sharded checkpoint
        Assert.That(reopened.Tensors, Has.Count.EqualTo(map.Count));
    }

    [Test]
    public void Write_ShardedInput_SameTensorBytesAndPlanAsSingleFileOutput()
    {
        using var sharded = ModelSources.Open(IndexFile);
        using var single = ModelSources.Open(SingleFile);
        var plan = PlanOf(single);
        Assert.That(PlanJson.Write(PlanOf(sharded)), Is.EqualTo(PlanJson.Write(plan)));

        var measuredSharded = CompressedModelWriter.Write(sharded, plan, Dir.File("out/model.safetensors.index.json"), OutputFormat.Safetensors);
        var measuredSingle = CompressedModelWriter.Write(single, plan, Dir.File("out.safetensors"), OutputFormat.Safetensors);
        Assert.That(PlanJson.Write(measuredSharded), Is.EqualTo(PlanJson.Write(measuredSingle)));

        using var a = SafetensorsFile.Open(Dir.File("out.safetensors"));
        using var b = ModelSources.Open(Dir.File("out"));
        Assert.That(b.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal), Is.EqualTo(a.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal)));
        foreach (var t in a.Tensors)
        {
            using var bytes = new MemoryStream();
            b.CopyRawBytes(t.Name, bytes);
            Assert.That(bytes.ToArray(), Is.EqualTo(a.GetBytes(t.Name).ToArray()), t.Name);
        }
    }

    [Test]
    public void Write_RenameFailsHalfway_RemovesEverythingWritten()
    {
        using var source = (ShardedSafetensorsModelSource)ModelSources.Open(IndexFile);
        var plan = PlanOf(source);
        var output = Directory.CreateDirectory(Dir.File("out")).FullName;
        // A directory where the last shard must go: the first shards are renamed into place, then that rename fails.
        Directory.CreateDirectory(Path.Combine(output, source.Shards[^1].Name));

        var e = Assert.Throws<OutputWriteException>(() => CompressedModelWriter.Write(source, plan, output, OutputFormat.Safetensors))!;
        Assert.That(e.Message, Does.Not.Contain('\n'));
        Assert.That(Directory.GetFiles(output), Is.Empty, "no shard, index or temporary is left");
    }

    /// <summary>
    /// A failure while shard data is being written (not at the final rename): the second input shard is cut in the
    /// middle of its last, pass-through tensor (8 MiB, several copy buffers) after the model was opened and planned,
    /// so output shard 1 is complete, shard 2 has its header, factors and part of that tensor, and the copy fails.
    /// Nothing may be left: no shard, no index, no temporary, no output folder.
    /// </summary>
    [Test]
    public void Write_InputShardEndsMidwayThroughCopy_RemovesEverythingWritten()
    {
        var ckpt = Directory.CreateDirectory(Dir.File("cut")).FullName;
        var rng = new Random(8);
        double[] Values(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => rng.NextDouble() - 0.5)];
        var first = new SafetensorsWriter(new Dictionary<string, string> { ["format"] = "pt" });
        first.AddFloat64("a.conv.weight", Tensors.DType.F32, [16, 8, 3, 3], Values(16 * 8 * 9));
        first.WriteTo(Path.Combine(ckpt, ScaleModels.ShardName(0, 2)));
        var second = new SafetensorsWriter(new Dictionary<string, string> { ["format"] = "pt" });
        second.AddFloat64("b.fc.weight", Tensors.DType.F32, [24, 32], Values(24 * 32));
        second.Add("zz.embed.weight", Tensors.DType.F32, [2048, 1024], new byte[2048 * 1024 * 4]);
        var big = second.Layout().Single(t => t.Name == "zz.embed.weight");
        Assert.That(big.End, Is.EqualTo(second.Layout().Max(t => t.End)), "the pass-through tensor is last in the shard");
        var secondPath = Path.Combine(ckpt, ScaleModels.ShardName(1, 2));
        second.WriteTo(secondPath);
        var index = ScaleModels.WriteIndex(ckpt, new Dictionary<string, string>
        {
            ["a.conv.weight"] = ScaleModels.ShardName(0, 2), ["b.fc.weight"] = ScaleModels.ShardName(1, 2),
            ["zz.embed.weight"] = ScaleModels.ShardName(1, 2),
        });

        using var source = (ShardedSafetensorsModelSource)ModelSources.Open(index);
        var plan = PlanOf(source);
        Assert.That(plan.Layers.Count(l => l.Compressed), Is.EqualTo(2), "both layers compressed: both shards get factors");
        // Cut the data in the middle of the big tensor (the compressible weights before it stay whole).
        long length = new FileInfo(secondPath).Length;
        using (var f = new FileStream(secondPath, FileMode.Open, FileAccess.Write)) f.SetLength(length - big.ByteLength / 2);

        var output = Dir.File("out-cut");
        // a truncated input is bad input, not a failed write
        var e = Assert.Throws(Is.InstanceOf<ModelFormatException>(),
            () => CompressedModelWriter.Write(source, plan, output, OutputFormat.Safetensors))!;
        Assert.That(e.Message, Does.Contain("zz.embed.weight").And.Not.Contain('\n'));
        Assert.That(Directory.Exists(output), Is.False, "the output folder it created is removed, with everything in it");
        Assert.That(Directory.GetFiles(Dir.Path, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temporary anywhere");
    }

    [Test]
    public void Write_IntoTheInputDirectory_RefusedBeforeWriting()
    {
        using var source = ModelSources.Open(IndexFile);
        var plan = PlanOf(source);
        var before = Directory.GetFiles(Path.GetDirectoryName(IndexFile)!).ToDictionary(f => f, File.ReadAllBytes);
        Assert.Throws(Is.InstanceOf<ModelFormatException>().Or.InstanceOf<ArgumentException>(),
            () => CompressedModelWriter.Write(source, plan, Path.GetDirectoryName(IndexFile)!, OutputFormat.Safetensors));
        foreach (var (file, bytes) in before) Assert.That(File.ReadAllBytes(file), Is.EqualTo(bytes));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(IndexFile)!), Has.Length.EqualTo(before.Count));
    }

    [Test]
    public void Write_ShardedInputAsOnnx_Refused()
    {
        using var source = ModelSources.Open(IndexFile);
        var plan = PlanOf(source);
        Assert.Throws(Is.InstanceOf<ModelFormatException>(), () => CompressedModelWriter.Write(source, plan, Dir.File("x.onnx"), OutputFormat.Onnx));
        Assert.That(File.Exists(Dir.File("x.onnx")), Is.False);
    }
}
