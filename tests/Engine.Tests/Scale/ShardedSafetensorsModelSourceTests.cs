using Alds.Engine.IO;
using Alds.Engine.Models;
using Alds.Engine.Tests.Models;

namespace Alds.Engine.Tests.Scale;

/// <summary>Reading a Hugging Face sharded checkpoint, against the same tensors in one file as the oracle.</summary>
public class ShardedSafetensorsModelSourceTests : ShardedCheckpointTest
{
    private string Shard(int i) => Path.Combine(Dir.Path, "ckpt", ScaleModels.ShardName(i, 3));

    [Test]
    public void Open_Directory_SameTensorsLayersAndWeightsAsOneFile()
    {
        using var sharded = ModelSources.Open(Path.GetDirectoryName(IndexFile)!);
        using var single = ModelSources.Open(SingleFile);
        Assert.That(sharded, Is.TypeOf<ShardedSafetensorsModelSource>());
        Assert.That(sharded.Path, Is.EqualTo(IndexFile));
        Assert.That(sharded.Tensors.Select(t => t.Name).Order(), Is.EqualTo(single.Tensors.Select(t => t.Name).Order()));
        Assert.That(sharded.Layers, Is.EqualTo(single.Layers));
        Assert.That(sharded.Layers, Has.Count.EqualTo(8));
        foreach (var layer in single.Layers)
        {
            var expected = new double[layer.Params];
            var actual = new double[layer.Params];
            single.ReadWeight(layer, expected);
            sharded.ReadWeight(layer, actual);
            Assert.That(actual, Is.EqualTo(expected), layer.Name);
        }
        foreach (var t in single.Tensors)
        {
            using var a = new MemoryStream();
            using var b = new MemoryStream();
            single.CopyRawBytes(t.Name, a);
            sharded.CopyRawBytes(t.Name, b);
            Assert.That(b.ToArray(), Is.EqualTo(a.ToArray()), t.Name);
        }
    }

    [Test]
    public void ReadWeight_PositionalReads_EqualMappedReadsForEveryDType()
    {
        using var source = ModelSources.Open(SingleFile);
        using var file = SafetensorsFile.Open(SingleFile);
        Assert.That(source.Layers.Select(l => file.Get(l.WeightTensor).DType).Distinct().Count(), Is.GreaterThanOrEqualTo(4));
        foreach (var layer in source.Layers)
        {
            var mapped = new double[layer.Params];
            var unmapped = new double[layer.Params + 3];
            file.ReadFloat64(layer.WeightTensor, mapped);
            ShardedSafetensorsModelSource.ReadWeightUnmapped(file, layer, unmapped);
            Assert.That(unmapped[..mapped.Length], Is.EqualTo(mapped), layer.Name);
            Assert.That(unmapped[mapped.Length..], Is.All.Zero, "nothing written past the weight");
        }
    }

    [Test]
    public void Open_IndexPath_SameAsDirectory()
    {
        using var byIndex = (ShardedSafetensorsModelSource)ModelSources.Open(IndexFile);
        Assert.That(byIndex.Shards.Select(s => s.Name), Is.EqualTo(Enumerable.Range(0, 3).Select(i => ScaleModels.ShardName(i, 3))));
        Assert.That(byIndex.ShardOf("block1.conv.weight").Name, Is.EqualTo(ScaleModels.ShardName(4 % 3, 3)));
        using var single = SafetensorsFile.Open(SingleFile);
        Assert.That(byIndex.IndexMetadata["total_size"], Is.EqualTo(single.TensorInfos.Sum(t => t.ByteLength).ToString()));
    }

    [Test]
    public void Open_DirectoryWithoutIndex_OneLineError()
    {
        var empty = Directory.CreateDirectory(Dir.File("empty")).FullName;
        AssertRefused(empty, "empty", "model.safetensors.index.json");
    }

    [Test]
    public void Open_MissingShard_NamesTheShard()
    {
        File.Delete(Shard(1));
        AssertRefused(IndexFile, ScaleModels.ShardName(1, 3), "does not exist");
    }

    [Test]
    public void Open_TensorMappedToWrongShard_NamesShardAndTensor()
    {
        var map = ScaleModels.ReadWeightMap(IndexFile);
        map["block1.conv.weight"] = ScaleModels.ShardName(0, 3); // it lives in shard 2 (index 1)
        ScaleModels.WriteIndex(Path.GetDirectoryName(IndexFile)!, map);
        AssertRefused(IndexFile, ScaleModels.ShardName(0, 3), "'block1.conv.weight'");
    }

    [Test]
    public void Open_TensorInTwoShards_Refused()
    {
        // Shard 1 gets a copy of a tensor that the index (and shard 0) already hold.
        var writer = new SafetensorsWriter();
        ScaleModels.Declare(writer, ScaleModels.Tensors.Where((_, i) => i % 3 == 1).Append(ScaleModels.Tensors[0]));
        writer.WriteTo(Shard(1));
        var error = AssertRefused(IndexFile, ScaleModels.ShardName(1, 3), "'embed.weight'");
        Assert.That(error, Does.Contain("also in shard"));
    }

    [Test]
    public void Open_TensorMissingFromWeightMap_Refused()
    {
        var map = ScaleModels.ReadWeightMap(IndexFile);
        map.Remove("head.fc1.bias");
        ScaleModels.WriteIndex(Path.GetDirectoryName(IndexFile)!, map);
        AssertRefused(IndexFile, "'head.fc1.bias'", "not in the weight map");
    }

    [Test]
    public void Open_TruncatedShard_NamesTheShard()
    {
        var bytes = File.ReadAllBytes(Shard(2));
        File.WriteAllBytes(Shard(2), bytes[..(bytes.Length - 10)]);
        AssertRefused(IndexFile, ScaleModels.ShardName(2, 3), "");
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("[1, 2]", "must be a JSON object")]
    [TestCase("{\"metadata\": {}}", "no \"weight_map\"")]
    [TestCase("{\"weight_map\": {}}", "empty")]
    [TestCase("{\"weight_map\": {\"a\": 3}}", "must be a file name")]
    [TestCase("{\"weight_map\": {\"a\": \"../x.safetensors\"}}", "relative to the index")]
    [TestCase("{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"}}", "twice")]
    public void Open_BadIndex_OneLineErrorNamingTheIndex(string json, string expected)
    {
        File.WriteAllText(IndexFile, json);
        AssertRefused(IndexFile, "model.safetensors.index.json", expected);
    }

    private static string AssertRefused(string path, string names, string says)
    {
        var e = Assert.Throws(Is.InstanceOf<ModelFormatException>(), () => ModelSources.Open(path).Dispose())!;
        Assert.That(e.Message, Does.Contain(names).And.Contain(says));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        return e.Message;
    }
}
