namespace Alds.Engine.Evaluation;

/// <summary>
/// Token-id sequences padded to the longest, row-major <c>[Rows, Columns]</c>: the ids (the pad id on padding) and the
/// attention mask (1 on each text's own tokens, 0 on padding, which always comes last).
/// </summary>
public sealed record TokenBatch(int Rows, int Columns, long[] Ids, long[] Mask)
{
    /// <summary>Pads the sequences of <paramref name="batch"/> to the longest with <paramref name="padId"/>.</summary>
    public static TokenBatch Pad(IReadOnlyList<long[]> batch, long padId)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.Count, cols = batch.Max(b => b.Length);
        var ids = new long[rows * cols];
        var mask = new long[rows * cols];
        Array.Fill(ids, padId);
        for (int r = 0; r < rows; r++)
        {
            batch[r].CopyTo(ids, r * cols);
            Array.Fill(mask, 1, r * cols, batch[r].Length);
        }
        return new TokenBatch(rows, cols, ids, mask);
    }
}
