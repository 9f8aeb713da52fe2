using Alds.Engine.Layers;
using Alds.Engine.Models;

namespace Alds.Engine.Tests.Models;

/// <summary>The real ImageNet ResNet18 (CNTK export, IR 3, opset 8) that the CLI ships with.</summary>
public class OnnxModelSourceResNet18Tests
{
    internal static string ModelPath =>
        Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    private static OnnxModelSource _source = null!;

    [OneTimeSetUp]
    public static void Open()
    {
        Assert.That(File.Exists(ModelPath), Is.True, $"missing {ModelPath} (copied by the ResNet18 package's build props)");
        _source = new OnnxModelSource(ModelPath);
    }

    [OneTimeTearDown]
    public static void Close() => _source.Dispose();

    [Test]
    public void Layers_ResNet18_Are22DenseConvsWithoutBias()
    {
        Assert.That(_source.Layers, Has.Count.EqualTo(22));
        Assert.That(_source.Layers.Sum(l => l.Params), Is.EqualTo(15_885_504));
        Assert.That(_source.Layers, Has.All.Matches<LayerSpec>(l =>
            l.Kind == LayerKind.Conv && l.BiasTensor is null && l.Layout == WeightLayout.Canonical));
        Assert.That(_source.Bindings.Select(b => b.Node.OpType), Has.All.EqualTo("Conv"));
    }

    [Test]
    public void Layers_ResNet18_FirstIsTheStem7x7InGraphOrder()
    {
        var first = _source.Layers[0];
        Assert.That(first.Name, Is.EqualTo("Parameter91"));
        Assert.That(first.Shape, Is.EqualTo(new[] { 64, 3, 7, 7 }));
        Assert.That(_source.Bindings[0].Node.Name, Is.EqualTo("Convolution249"));
    }

    [Test]
    public void Skipped_ResNet18_EveryOtherInitializerIsAOneDimensionalNormTensor()
    {
        Assert.That(_source.Tensors, Has.Count.EqualTo(110));
        Assert.That(_source.Skipped, Has.Count.EqualTo(110 - 22));
        Assert.That(_source.Skipped.Select(s => s.Reason), Has.All.EqualTo("1-D tensor (bias or norm)"));
        Assert.That(_source.IrVersion, Is.EqualTo(3));
        Assert.That(_source.OpsetVersion, Is.EqualTo(8));
    }

    // Golden values from onnx_golden.py (a protobuf wire walker with numpy, independent of Google.Protobuf):
    //   python3 onnx_golden.py ResNet18.onnx Parameter91 1234 ; ... Parameter10 1234567 ; ... Parameter199 4321
    [TestCase("Parameter91", 9408, -0.020473213866353035, -0.011778326705098152, -0.005815543700009584, 1234, -0.0031461354810744524, 145.49815670659476)]
    [TestCase("Parameter10", 2359296, -0.005414767190814018, 0.004843877628445625, 0.0001165787543868646, 1234567, -0.012125513516366482, 358.8773771636039)]
    [TestCase("Parameter199", 8192, 0.0028578147757798433, 0.01212876196950674, 0.060811884701251984, 4321, 0.040887873619794846, 36.610597590658706)]
    public void ReadWeight_ResNet18Layer_MatchesIndependentParser(
        string name, int count, double first, double second, double last, int index, double atIndex, double sumOfSquares)
    {
        var layer = _source.Layers.Single(l => l.Name == name);
        var w = new double[layer.Params];
        _source.ReadWeight(layer, w);

        Assert.That(w, Has.Length.EqualTo(count));
        // float32 widened to float64 is exact: the stored values compare bit for bit.
        Assert.That(w[0], Is.EqualTo(first));
        Assert.That(w[1], Is.EqualTo(second));
        Assert.That(w[^1], Is.EqualTo(last));
        Assert.That(w[index], Is.EqualTo(atIndex));
        // numpy's pairwise sum vs a sequential sum: equal to ~1e-13 relative.
        Assert.That(w.Sum(x => x * x), Is.EqualTo(sumOfSquares).Within(1e-10).Percent);
    }

    [Test]
    public void ReadFloat64_ResNet18Initializer_EqualsTheProtoFloatData()
    {
        var proto = _source.Model.Graph.Initializer.Single(t => t.Name == "Parameter386");
        var values = new double[512];
        _source.ReadFloat64("Parameter386", values);
        Assert.That(values, Is.EqualTo(proto.FloatData.Select(f => (double)f)));
    }
}
