namespace Alds.Engine.Calibration;

/// <summary>
/// What a calibration ran on: the images (file name and content hash) and the crop count and seed, or the texts (content
/// hashes, <see cref="Evaluation.TextCorpus.ContentHash"/>) and their count and permutation seed; and the preprocessing
/// (or tokenisation). Its <see cref="Key"/> (with the model's and the layer's) names cached moments.
/// </summary>
public sealed record CalibrationSet(string Source, IReadOnlyList<(string Name, ulong Hash)> Images, int Samples, ulong Seed, string Preprocessing)
{
    /// <summary>Text calibration: the XxHash64 of every text run, in corpus order; empty for images.</summary>
    public IReadOnlyList<ulong> Texts { get; init; } = [];

    /// <summary>Real tokens run (text calibration; padding excluded); 0 for images.</summary>
    public long Tokens { get; init; }

    /// <summary>A hash of everything above: equal sets give equal keys.</summary>
    public UInt128 Key()
    {
        var hash = new System.IO.Hashing.XxHash128();
        void Add(string s) { hash.Append(System.Text.Encoding.UTF8.GetBytes(s)); hash.Append([0]); }
        Add("alds-calibration-1");
        foreach (var (name, h) in Images) { Add(name); hash.Append(BitConverter.GetBytes(h)); }
        if (Texts.Count > 0)
        {
            Add("texts");
            foreach (var h in Texts) hash.Append(BitConverter.GetBytes(h));
        }
        hash.Append(BitConverter.GetBytes(Samples));
        hash.Append(BitConverter.GetBytes(Seed));
        Add(Preprocessing);
        return hash.GetCurrentHashAsUInt128();
    }
}
