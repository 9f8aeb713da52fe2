namespace Alds.Engine.Tests.EndToEnd;

/// <summary>Two runs of <c>alds compress</c> with the same input and options write byte-identical files.</summary>
public class DeterminismTests
{
    [TestCase("safetensors")]
    [TestCase("onnx")]
    public void CompressTwice_SameOptions_ByteIdenticalFiles(string format)
    {
        // Layers with k > 1 (Parameter86: 8 groups at keep 0.5) exercise the batched, parallel factorisation.
        string[] options = ["--keep", "0.5", "--include", CompressOnnxTests.FewLayers];
        var (first, _) = ResNet18Workspace.Compressed("first." + format, options);
        var (second, _) = ResNet18Workspace.Compressed("second." + format, options);
        Assert.That(File.ReadAllBytes(second), Is.EqualTo(File.ReadAllBytes(first)));
    }
}
