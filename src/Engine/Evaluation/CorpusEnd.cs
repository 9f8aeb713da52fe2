namespace Alds.Engine.Evaluation;

/// <summary>Which end of the seeded permutation of a corpus a sample is taken from.</summary>
public enum CorpusEnd
{
    /// <summary>The first texts: <c>alds eval</c>.</summary>
    Head,

    /// <summary>The last texts: calibration, disjoint from an evaluation sample of the same corpus.</summary>
    Tail,
}
