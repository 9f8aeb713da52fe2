namespace Alds.Engine.Costs;

/// <summary>An (s, k) of a layer to measure, at ranks up to <paramref name="MaxRank"/> (the largest rank smaller than the layer).</summary>
public sealed record LatencyRequest(string Layer, int Scheme, int Groups, int MaxRank);
