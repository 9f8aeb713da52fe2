namespace Alds.Engine.Calibration;

/// <summary>
/// Adds one activation tensor's input vectors to a layer's <see cref="SecondMoment"/>: im2col patches of a Conv input
/// [1, C, H, W] (vector index <c>(c·kh + y)·kw + x</c>, the scheme-0 fold's column order; padding reads 0), or the rows
/// of a linear input [..., in]. For a text model, a linear input with one row per token position (<c>[batch, sequence, in]</c>
/// or flattened <c>[batch·sequence, in]</c>) contributes only the rows of real tokens; other row counts (a pooler's
/// <c>[batch, in]</c>) hold no padding and count whole.
/// </summary>
internal static class PatchExtractor
{
    /// <exception cref="ModelFormatException">A non-finite activation, or a shape that does not fit the layer.</exception>
    public static void Accumulate(LayerInput input, ReadOnlySpan<float> activation, ReadOnlySpan<long> shape, SecondMoment moment,
        Evaluation.TokenBatch? tokens = null)
    {
        var layer = input.Layer;
        if (!float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(activation)))
            throw new ModelFormatException($"layer '{layer.Name}': its input '{input.Tensor}' holds NaN or infinity on a calibration sample");
        if (layer.Kind == Layers.LayerKind.Linear)
        {
            if (shape.Length == 0 || shape[^1] != layer.In)
                throw new ModelFormatException($"layer '{layer.Name}': input '{input.Tensor}' has shape [{string.Join(", ", shape.ToArray())}], expected [..., {layer.In}]");
            int rows = activation.Length / layer.In;
            if (tokens is null || rows != tokens.Rows * tokens.Columns) moment.AddRows(activation, rows);
            else AddRealTokens(activation, layer.In, tokens.Mask, moment);
            return;
        }
        if (shape.Length != 4 || shape[0] != 1 || shape[1] != layer.In)
            throw new ModelFormatException($"layer '{layer.Name}': input '{input.Tensor}' has shape [{string.Join(", ", shape.ToArray())}], expected [1, {layer.In}, H, W]");
        int h = (int)shape[2], w = (int)shape[3];
        var (oh, ow) = input.OutputSize(h, w);
        int positions = oh * ow, kh = layer.Kh, kw = layer.Kw;
        if (positions <= 0) return;
        var patches = new float[(long)input.Order * positions];
        for (int c = 0; c < layer.In; c++)
            for (int y = 0; y < kh; y++)
                for (int x = 0; x < kw; x++)
                {
                    var row = patches.AsSpan(((c * kh + y) * kw + x) * positions, positions);
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * input.StrideH - input.PadTop + y * input.DilationH;
                        var target = row.Slice(oy * ow, ow);
                        if (iy < 0 || iy >= h) { target.Clear(); continue; }
                        var source = activation.Slice((c * h + iy) * w, w);
                        for (int ox = 0; ox < ow; ox++)
                        {
                            int ix = ox * input.StrideW - input.PadLeft + x * input.DilationW;
                            target[ox] = ix >= 0 && ix < w ? source[ix] : 0f;
                        }
                    }
                }
        moment.AddColumns(patches, positions);
    }

    // Runs of consecutive real tokens, each added at once (padding comes last in each row of the batch).
    private static void AddRealTokens(ReadOnlySpan<float> activation, int order, long[] mask, SecondMoment moment)
    {
        for (int start = 0; start < mask.Length;)
        {
            if (mask[start] == 0) { start++; continue; }
            int end = start;
            while (end < mask.Length && mask[end] != 0) end++;
            moment.AddRows(activation.Slice(start * order, (end - start) * order), end - start);
            start = end;
        }
    }
}
