using Onnx;

namespace Alds.Engine.Evaluation;

/// <summary>The token limit a transformer's ONNX export implies: the rows of its position-embedding table.</summary>
internal static class PositionTable
{
    /// <summary>Rows of the 2-D initializer whose name holds "position" and "embed", or null when there is none.</summary>
    public static int? Length(string modelPath)
    {
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(modelPath);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (Exception e) when (e is IOException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
        foreach (var t in model.Graph?.Initializer ?? [])
        {
            var name = t.Name.ToLowerInvariant();
            if (name.Contains("position") && name.Contains("embed") && t.Dims.Count == 2 && t.Dims[0] is >= 2 and <= int.MaxValue)
                return (int)t.Dims[0];
        }
        return null;
    }
}
