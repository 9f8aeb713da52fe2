using Alds.Engine.Analysis;

namespace Alds.Engine.Tests;

public class FoldSchemeTests
{
    [Test]
    public void Params_Scheme0_MatchesFormula()
    {
        // j · (k·out·dec + in·enc) with dec = 1, enc = 9
        Assert.That(FoldScheme.Params(0, 2, 3, 64, 32, 3, 3), Is.EqualTo(3 * (2 * 64 * 1 + 32 * 9)));
        Assert.That(FoldScheme.Params(3, 1, 1, 64, 32, 3, 3), Is.EqualTo(64 * 9 + 32));
        Assert.That(FoldScheme.Params(1, 1, 1, 64, 32, 3, 5), Is.EqualTo(64 * 3 + 32 * 5));
    }
}
