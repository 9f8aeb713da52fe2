namespace Alds.Engine.Evaluation;

/// <summary>
/// The usual torchvision preprocessing, for models without a companion preprocessing model:
/// RGB scaled to [0, 1], then <c>(x - mean) / std</c> per channel with the ImageNet statistics, NCHW.
/// </summary>
internal sealed class ImageNetNormalization : IInputPreprocessor
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public string Description => "RGB/255, ImageNet mean/std normalisation, NCHW";

    public float[] Apply(float[] rgb, int height, int width)
    {
        int plane = height * width;
        if (rgb.Length != 3 * plane) throw new ArgumentException($"expected {3 * plane} values, got {rgb.Length}", nameof(rgb));
        var output = new float[rgb.Length];
        for (int c = 0; c < 3; c++)
            for (int i = c * plane; i < (c + 1) * plane; i++)
                output[i] = (rgb[i] / 255f - Mean[c]) / Std[c];
        return output;
    }

    public void Dispose() { }
}
