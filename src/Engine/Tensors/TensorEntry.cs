namespace Alds.Engine.Tensors;

/// <summary>A named tensor's type and shape, as found in a model file.</summary>
public sealed record TensorEntry(string Name, DType DType, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
