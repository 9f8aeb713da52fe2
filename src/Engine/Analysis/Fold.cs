using System.Numerics;
using System.Numerics.Tensors;

namespace Alds.Engine.Analysis;

/// <summary>
/// Folds a canonical <c>[out, in, kh, kw]</c> weight into the matrix <c>F'</c> of scheme <c>s</c>,
/// with rows <c>(o, decoder tap)</c> and columns <c>(c, encoder tap)</c>, input channel outermost.
/// Channel group <c>i</c> of <c>k</c> is then the contiguous column range
/// <c>[i·n, (i+1)·n)</c>, <c>n = (in/k)·enc</c>. Row and column orders differ from torchprune's
/// fold only by permutations, which leave singular values unchanged; the decomposer unfolds
/// with the same maps.
/// </summary>
internal readonly record struct Fold(int Scheme, int Out, int In, int Kh, int Kw)
{
    public int EncoderTaps => FoldScheme.EncoderTaps(Scheme, Kh, Kw);
    public int DecoderTaps => FoldScheme.DecoderTaps(Scheme, Kh, Kw);
    public int Rows => Out * DecoderTaps;
    public int Columns => In * EncoderTaps;

    /// <summary>Row and column of weight element <c>(o, c, y, x)</c> in the folded matrix.</summary>
    public (int row, int col) Position(int o, int c, int y, int x) => Scheme switch
    {
        0 => (o, (c * Kh + y) * Kw + x),
        1 => (o * Kh + y, c * Kw + x),
        2 => (o * Kw + x, c * Kh + y),
        3 => ((o * Kh + y) * Kw + x, c),
        _ => throw new ArgumentOutOfRangeException(nameof(Scheme)),
    };

    /// <summary>Writes the folded matrix (row-major, Rows × Columns). Scheme 0 is the identity layout.</summary>
    public void Apply(ReadOnlySpan<double> weight, Span<double> folded) => Scatter(weight, folded);

    /// <summary>As <see cref="Apply(ReadOnlySpan{double}, Span{double})"/> from a float32 weight (widened exactly).</summary>
    public void Apply(ReadOnlySpan<float> weight, Span<double> folded) => Scatter(weight, folded);

    private void Scatter<TWeight>(ReadOnlySpan<TWeight> weight, Span<double> folded) where TWeight : unmanaged, INumberBase<TWeight>
    {
        if (Scheme == 0) { TensorPrimitives.ConvertChecked<TWeight, double>(weight[..(Rows * Columns)], folded); return; }
        int cols = Columns, idx = 0;
        for (int o = 0; o < Out; o++)
            for (int c = 0; c < In; c++)
                for (int y = 0; y < Kh; y++)
                    for (int x = 0; x < Kw; x++)
                    {
                        var (r, col) = Position(o, c, y, x);
                        folded[r * cols + col] = double.CreateTruncating(weight[idx++]);
                    }
    }

    /// <summary>The inverse of <see cref="Apply(ReadOnlySpan{double}, Span{double})"/>.</summary>
    public void Unapply(ReadOnlySpan<double> folded, Span<double> weight)
    {
        int cols = Columns, idx = 0;
        for (int o = 0; o < Out; o++)
            for (int c = 0; c < In; c++)
                for (int y = 0; y < Kh; y++)
                    for (int x = 0; x < Kw; x++)
                    {
                        var (r, col) = Position(o, c, y, x);
                        weight[idx++] = folded[r * cols + col];
                    }
    }
}
