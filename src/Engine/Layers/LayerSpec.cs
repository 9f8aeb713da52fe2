namespace Alds.Engine.Layers;

/// <summary>What a compressible layer is.</summary>
public enum LayerKind
{
    /// <summary>A 2-D convolution with <c>group = 1</c>.</summary>
    Conv,
    /// <summary>A linear (fully connected) layer: <c>kh = kw = 1</c>.</summary>
    Linear,
}

/// <summary>How the stored weight tensor maps to the canonical <c>[out, in, kh, kw]</c> layout.</summary>
public enum WeightLayout
{
    /// <summary>Stored as <c>[out, in, kh, kw]</c> or <c>[out, in]</c>.</summary>
    Canonical,
    /// <summary>Stored as <c>[in, out]</c> (ONNX MatMul, Gemm with transB = 0).</summary>
    Transposed,
}

/// <summary>
/// A compressible layer: a Conv2d with groups = 1 or a Linear layer, in canonical
/// <c>[Out, In, Kh, Kw]</c> form (Linear: Kh = Kw = 1).
/// </summary>
public sealed record LayerSpec(
    string Name,
    LayerKind Kind,
    int Out,
    int In,
    int Kh,
    int Kw,
    string WeightTensor,
    string? BiasTensor,
    WeightLayout Layout = WeightLayout.Canonical)
{
    /// <summary>The weight's element count, <c>out·in·kh·kw</c>.</summary>
    public long Params => (long)Out * In * Kh * Kw;
    /// <summary><c>[out, in]</c> for a linear layer, <c>[out, in, kh, kw]</c> for a convolution.</summary>
    public int[] Shape => Kind == LayerKind.Linear ? [Out, In] : [Out, In, Kh, Kw];
}
