using Alds.Cli;
using Alds.Engine.IO;
using Alds.Engine.Planning;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// The exception taxonomy at the command line: bad input and missing optional components are one line and exit 1;
/// anything else is our bug: exit 70 (EX_SOFTWARE), named as an internal error (the trace follows it on stderr).
/// </summary>
public class ExitCodeClassificationTests
{
    [Test]
    public void Classify_BadInput_FailureWithTheMessage()
    {
        Assert.That(AldsApp.Classify(new ModelFormatException("m.onnx: truncated")), Is.EqualTo((AldsApp.Failure, "m.onnx: truncated")));
        Assert.That(AldsApp.Classify(new PlanningException("keep 0.01 is unreachable")), Is.EqualTo((AldsApp.Failure, "keep 0.01 is unreachable")));
        Assert.That(AldsApp.Classify(new SafetensorsException(SafetensorsErrorKind.InvalidHeaderLength, "x.safetensors", null, "bad header")).code,
            Is.EqualTo(AldsApp.Failure));
    }

    [Test]
    public void Taxonomy_PlanningAndWriteFailuresAreNotModelFormatErrors()
    {
        // Three separate kinds, one line and exit 1 each: a bad model, a plan that cannot be made, an output that
        // cannot be written. A catch of one never takes another.
        Assert.That(new PlanningException("p"), Is.Not.InstanceOf<ModelFormatException>());
        Assert.That(new OutputWriteException("o"), Is.Not.InstanceOf<ModelFormatException>());
    }

    [Test]
    public void Classify_FailedWrite_FailureWithTheMessage() =>
        Assert.That(AldsApp.Classify(new OutputWriteException("out.safetensors: cannot write: No space left on device")),
            Is.EqualTo((AldsApp.Failure, "out.safetensors: cannot write: No space left on device")));

    [Test]
    public void Classify_MissingComponent_FailureWithTheMessage() =>
        Assert.That(AldsApp.Classify(new MissingComponentException("--device cuda: CUDA is not available (no driver)")),
            Is.EqualTo((AldsApp.Failure, "--device cuda: CUDA is not available (no driver)")));

    [TestCase(typeof(InvalidOperationException))]
    [TestCase(typeof(ArgumentException))]
    [TestCase(typeof(NullReferenceException))]
    [TestCase(typeof(IndexOutOfRangeException))]
    public void Classify_AnythingElse_InternalErrorNamingTheType(Type type)
    {
        var e = (Exception)Activator.CreateInstance(type, "first line\nsecond line")!;
        var (code, message) = AldsApp.Classify(e);
        Assert.That(code, Is.EqualTo(AldsApp.InternalError));
        Assert.That(message, Does.StartWith("internal error").And.Contain($"{type.Name}: first line").And.Not.Contain("second line"));
    }

    [Test]
    public void Classify_OutputIsInput_IsAnArgumentErrorOnlyTheWritersTurnIntoBadInput() =>
        // Raised bare, it is a caller's bug like any ArgumentException; the writers catch exactly this type.
        Assert.That(AldsApp.Classify(new OutputIsInputException("o: the output would overwrite the input")).code, Is.EqualTo(AldsApp.InternalError));
}
