using Alds.Engine.Layers;

namespace Alds.Engine.Costs;

/// <summary>
/// Where a compressible layer runs in its graph: the shapes of its input and output activations at the model's input
/// shape (batch included). A convolution's are <c>[N, C, H, W]</c>; a linear layer's input is <c>[…, in]</c>.
/// </summary>
public sealed record LayerGeometry(LayerSpec Layer, long[] InputShape, long[] OutputShape)
{
    /// <summary>Rows a linear layer multiplies (the product of its input's leading dimensions); for a conv, N·Hout·Wout.</summary>
    internal long OutputPositions => Layer.Kind == LayerKind.Conv
        ? OutputShape[0] * OutputShape[2] * OutputShape[3]
        : InputShape[..^1].Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>N·Hin·Win of a convolution's input (linear: the same rows as <see cref="OutputPositions"/>).</summary>
    internal long InputPositions => Layer.Kind == LayerKind.Conv ? InputShape[0] * InputShape[2] * InputShape[3] : OutputPositions;
}
