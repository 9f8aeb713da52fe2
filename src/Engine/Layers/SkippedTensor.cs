namespace Alds.Engine.Layers;

/// <summary>A tensor that is not a compressible layer, and why (what layer discovery leaves out).</summary>
public sealed record SkippedTensor(string Name, string Reason);
