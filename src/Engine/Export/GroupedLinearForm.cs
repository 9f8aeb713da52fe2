namespace Alds.Engine.Export;

/// <summary>
/// How the ONNX rewriter computes a grouped linear encoder (<c>k &gt; 1</c>): input <c>[..., in]</c> cut into
/// <c>k</c> channel groups of <c>in/k</c>, each multiplied by its own <c>[in/k, j]</c> factor, giving <c>[..., k·j]</c>.
/// Both forms work whatever the rank of the input, so neither needs shapes recorded in the graph.
/// </summary>
public enum GroupedLinearForm
{
    /// <summary>
    /// <c>Split</c> on the last axis, one <c>MatMul</c> per group, <c>Concat</c> on the last axis (opset ≥ 11 for the
    /// negative axis; below that the input's rank must be recorded). The default: fastest in ONNX Runtime on the
    /// development model (docs/results-text.md).
    /// </summary>
    SplitConcat,

    /// <summary>
    /// <c>Reshape</c> to <c>[N, k, in/k]</c>, <c>Transpose</c> to <c>[k, N, in/k]</c>, one batched <c>MatMul</c> by
    /// <c>[k, in/k, j]</c>, <c>Transpose</c> back and <c>Reshape</c> to the input's leading dimensions (read at run
    /// time with <c>Shape</c> and <c>Slice</c>; opset ≥ 10).
    /// </summary>
    Batched,
}
