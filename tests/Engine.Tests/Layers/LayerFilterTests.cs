using System.Text.RegularExpressions;
using Alds.Engine.Layers;

namespace Alds.Engine.Tests.Layers;

public class LayerFilterTests
{
    [TestCase("encoder.embed_positions", false)]
    [TestCase("EMBEDDINGS.word", false)]
    [TestCase("conv1", true)]
    [TestCase("", true)]
    public void Keeps_DefaultFilter_ExcludesOnlyEmbedNames(string name, bool kept) =>
        Assert.That(LayerFilter.Default.Keeps(name), Is.EqualTo(kept));

    [Test]
    public void Keeps_IncludeIsASearchNotAFullMatch()
    {
        var filter = new LayerFilter(Include: new Regex("layer[12]"));
        Assert.That(filter.Keeps("model.layer1.conv"), Is.True);
        Assert.That(filter.Keeps("model.layer3.conv"), Is.False);
    }

    [Test]
    public void FromPatterns_EmptyStrings_SameAsDefault()
    {
        var filter = LayerFilter.FromPatterns("", null);
        Assert.That(filter.Include, Is.Null);
        Assert.That(filter.Exclude, Is.Null);
        Assert.That(filter.Keeps("embed"), Is.False);
    }

    [Test]
    public void FromPatterns_InvalidRegex_ThrowsArgumentException() =>
        Assert.Throws<RegexParseException>(() => LayerFilter.FromPatterns("(", null));
}
