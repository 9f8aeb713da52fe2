namespace Alds.Engine.Tensors;

/// <summary>A named tensor's type and shape, as found in a model file.</summary>
public sealed record TensorEntry(string Name, DType DType, long[] Shape)
{
    /// <summary>The product of the shape (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));
    /// <summary>The shape as <c>[d0, d1, …]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
