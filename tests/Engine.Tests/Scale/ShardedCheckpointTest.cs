using Alds.Engine.Tests.Models;

namespace Alds.Engine.Tests.Scale;

/// <summary>Per test, a fresh folder holding the same tensors as a 3-shard checkpoint and as one file (the oracle).</summary>
public abstract class ShardedCheckpointTest
{
    private protected TempDir Dir { get; private set; } = null!;

    /// <summary>The sharded checkpoint's <c>model.safetensors.index.json</c> (in <c>Dir/ckpt</c>).</summary>
    protected string IndexFile { get; private set; } = null!;

    /// <summary>The same tensors in one safetensors file.</summary>
    protected string SingleFile { get; private set; } = null!;

    [SetUp]
    public void WriteCheckpoints()
    {
        Dir = new TempDir();
        IndexFile = ScaleModels.WriteSharded(Path.Combine(Dir.Path, "ckpt"));
        SingleFile = ScaleModels.WriteSingle(Dir.File("single.safetensors"));
    }

    [TearDown] public void RemoveCheckpoints() => Dir.Dispose();
}
