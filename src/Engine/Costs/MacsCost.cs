using Alds.Engine.Analysis;
using Alds.Engine.Layers;
using Alds.Engine.Planning;

namespace Alds.Engine.Costs;

/// <summary>
/// Multiply-adds of every option at the layer's real spatial sizes (DESIGN §7). A convolution kept whole costs
/// <c>N·Hout·Wout·out·in·kh·kw</c>. Factorised as (s, k, j): the encoder (grouped, <c>k·j</c> outputs of
/// <c>in/k</c> channels, <c>enc</c> taps) runs at the output length on the axes whose stride it holds and at the input
/// length on the others (kernel 1, stride 1, no padding there: scheme 0 holds both, 3 neither, 1 the width, 2 the
/// height), the decoder (<c>k·j → out</c>, <c>dec</c> taps) at the output size:
/// <c>N·(Henc·Wenc·j·in·enc + Hout·Wout·out·k·j·dec)</c>. A linear layer: rows × params.
/// </summary>
public sealed class MacsCost : CostModel
{
    private readonly Dictionary<string, LayerGeometry> _geometry;

    /// <param name="geometry">Every compressible layer's shapes, by layer name.</param>
    public MacsCost(IEnumerable<LayerGeometry> geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        _geometry = geometry.ToDictionary(g => g.Layer.Name, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public override CostKind Kind => CostKind.Macs;

    /// <inheritdoc />
    public override long Whole(LayerSpec layer) => checked(Of(layer).OutputPositions * layer.Params);

    /// <inheritdoc />
    public override long? Factored(LayerSpec layer, int scheme, int groups, int rank)
    {
        var g = Of(layer);
        if (layer.Kind == LayerKind.Linear)
            return checked(g.OutputPositions * FoldScheme.Params(scheme, groups, rank, layer.Out, layer.In, layer.Kh, layer.Kw));
        bool encH = scheme is 0 or 2, encW = scheme is 0 or 1;
        long n = g.OutputShape[0];
        long hEnc = encH ? g.OutputShape[2] : g.InputShape[2], wEnc = encW ? g.OutputShape[3] : g.InputShape[3];
        long encoder = checked(n * hEnc * wEnc * rank * layer.In * FoldScheme.EncoderTaps(scheme, layer.Kh, layer.Kw));
        long decoder = checked(g.OutputPositions * layer.Out * groups * rank * FoldScheme.DecoderTaps(scheme, layer.Kh, layer.Kw));
        return checked(encoder + decoder);
    }

    private LayerGeometry Of(LayerSpec layer) => _geometry.TryGetValue(layer.Name, out var g)
        ? g : throw new ArgumentException($"layer '{layer.Name}' has no recorded shapes", nameof(layer));
}
