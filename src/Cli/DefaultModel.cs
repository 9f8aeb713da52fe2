namespace Alds.Cli;

/// <summary>The real ImageNet-trained ResNet18 that ships with the CLI (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18).</summary>
public static class DefaultModel
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    public static string Resolve(string? model) => model ?? Path;
}
