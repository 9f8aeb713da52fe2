namespace Alds.Engine.Evaluation;

/// <summary>Turns a resized image (planar RGB floats in [0, 255], layout [3, H, W]) into the model's input tensor data.</summary>
internal interface IInputPreprocessor : IDisposable
{
    /// <summary>One line saying what is done, for reports.</summary>
    string Description { get; }

    /// <summary>The input tensor's data, [1, 3, H, W] row-major; <paramref name="rgb"/> is not modified.</summary>
    float[] Apply(float[] rgb, int height, int width);
}
