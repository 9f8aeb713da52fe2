using Alds.Engine.Export;
using Alds.Engine.Layers;
using Onnx;
using static Alds.Engine.Tests.Export.OnnxTestKit;

namespace Alds.Engine.Tests.Export;

public class OnnxRewriterLinearTests
{
    private const int Out = 5, In = 8, Batch = 3;

    private static double[] Transposed(double[] w, int rows, int cols)
    {
        var t = new double[w.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
        return t;
    }

    /// <summary>Y = alpha·A·Bᵀ + beta·C (transB = 1, B = [out, in]) or alpha·A·B + beta·C (transB = 0, B = [in, out]).</summary>
    private static (ModelProto, LayerSpec, double[]) Gemm(int transB, string cShape, long irVersion = 7, long opset = 13, int seed = 21)
    {
        var rng = new Random(seed);
        var m = NewModel(irVersion, opset);
        var g = m.Graph;
        var w = Random(rng, Out * In);
        g.Input.Add(Value("a", Batch, In));
        g.Output.Add(Value("y", null));
        g.Initializer.Add(transB == 1 ? Initializer("fc.weight", [Out, In], w) : Initializer("fc.weight", [In, Out], Transposed(w, Out, In)));
        var inputs = new List<string> { "a", "fc.weight" };
        long[]? c = cShape switch { "none" => null, "vector" => [Out], _ => [Batch, Out] };
        if (c is not null)
        {
            g.Initializer.Add(Initializer("fc.bias", c, Random(rng, (int)c.Aggregate(1L, (p, d) => p * d))));
            inputs.Add("fc.bias");
        }
        if (irVersion < 4)
            foreach (var t in g.Initializer) g.Input.Add(Value(t.Name, [.. t.Dims]));
        g.Node.Add(Node("Gemm", "fc", [.. inputs], ["y"], Float("alpha", 0.7f), Float("beta", 1.3f), Int("transB", transB)));
        var layout = transB == 1 ? WeightLayout.Canonical : WeightLayout.Transposed;
        return (m, new LayerSpec("fc", LayerKind.Linear, Out, In, 1, 1, "fc.weight", c is null ? null : "fc.bias", layout), w);
    }

    private static (ModelProto, LayerSpec, double[]) MatMulAdd(long[]? inputShape, bool reluFirst = false, int seed = 22)
    {
        var rng = new Random(seed);
        var m = NewModel();
        var g = m.Graph;
        var w = Random(rng, Out * In);
        g.Input.Add(Value("x", inputShape));
        g.Output.Add(Value("y", null));
        g.Initializer.Add(Initializer("fc.weight", [In, Out], Transposed(w, Out, In)));
        g.Initializer.Add(Initializer("fc.bias", [Out], Random(rng, Out)));
        string source = "x";
        if (reluFirst)
        {
            g.Node.Add(Node("Relu", "relu", ["x"], ["r"]));
            source = "r";
        }
        g.Node.Add(Node("MatMul", "fc", [source, "fc.weight"], ["h"]));
        g.Node.Add(Node("Add", "fc_bias", ["h", "fc.bias"], ["y"]));
        return (m, new LayerSpec("fc", LayerKind.Linear, Out, In, 1, 1, "fc.weight", "fc.bias", WeightLayout.Transposed), w);
    }

    private static IEnumerable<TestCaseData> GemmCases() =>
        from t in new[] { 0, 1 } from c in new[] { "none", "vector", "matrix" } from k in new[] { 1, 2, 4 }
        select new TestCaseData(t, c, k).SetArgDisplayNames($"transB{t}", $"C_{c}", $"k{k}");

    [TestCaseSource(nameof(GemmCases))]
    public void Rewrite_FullRankGemm_MatchesOriginal(int transB, string cShape, int groups)
    {
        var (model, layer, w) = Gemm(transB, cShape);
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, groups, GroupSvdFactorizer.FullRank(layer, 0, groups));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        long[] shape = [Batch, In];
        var x = RandomInput(new Random(7), shape);
        AssertClose(Run(rewritten, "a", x, shape), Run(model, "a", x, shape));
        var dec = rewritten.Graph.Node.Single(n => n.Name == "fc_alds_dec");
        Assert.That(dec.OpType, Is.EqualTo("Gemm"));
        Assert.That(dec.Attribute.Single(a => a.Name == "alpha").F, Is.EqualTo(0.7f));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    public void Rewrite_LowRankGemm_MatchesGemmWithReconstructedWeight(int groups)
    {
        var (model, layer, w) = Gemm(1, "vector");
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, groups, rank: 1);
        var reference = WithWeight(model, "fc.weight", GroupSvdFactorizer.Reconstruct(f));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        long[] shape = [Batch, In];
        var x = RandomInput(new Random(8), shape);
        var expected = Run(reference, "a", x, shape);
        AssertClose(Run(rewritten, "a", x, shape), expected);
        Assert.Throws<AssertionException>(() => AssertClose(Run(model, "a", x, shape), expected, 1e-2));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    public void Rewrite_Ir3Opset8Gemm_MatchesOriginalAndDeclaresNewInitializersAsInputs(int groups)
    {
        var (model, layer, w) = Gemm(0, "vector", irVersion: 3, opset: 8);
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, groups, GroupSvdFactorizer.FullRank(layer, 0, groups));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        long[] shape = [Batch, In];
        var x = RandomInput(new Random(9), shape);
        AssertClose(Run(rewritten, "a", x, shape), Run(model, "a", x, shape));
        var inputs = rewritten.Graph.Input.Select(v => v.Name).ToHashSet();
        Assert.That(rewritten.Graph.Initializer.Select(t => t.Name), Is.SubsetOf(inputs));
        Assert.That(inputs, Does.Not.Contain("fc.weight"));
    }

    private static IEnumerable<TestCaseData> MatMulCases() =>
        from r in new[] { 2, 3 } from k in new[] { 1, 2, 4 }
        select new TestCaseData(r, k).SetArgDisplayNames($"rank{r}", $"k{k}");

    [TestCaseSource(nameof(MatMulCases))]
    public void Rewrite_FullRankMatMulAdd_MatchesOriginal(int inputRank, int groups)
    {
        long[] shape = inputRank == 2 ? [Batch, In] : [2, Batch, In];
        var (model, layer, w) = MatMulAdd(shape);
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, groups, GroupSvdFactorizer.FullRank(layer, 0, groups));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        var x = RandomInput(new Random(10), shape);
        AssertClose(Run(rewritten, "x", x, shape), Run(model, "x", x, shape));
        Assert.That(rewritten.Graph.Node.Last().Name, Is.EqualTo("fc_bias"), "the bias Add stays after the decoder");
    }

    [TestCase(1)]
    [TestCase(4)]
    public void Rewrite_LowRankMatMul_MatchesMatMulWithReconstructedWeight(int groups)
    {
        long[] shape = [2, Batch, In];
        var (model, layer, w) = MatMulAdd(shape);
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, groups, rank: 1);
        var reference = WithWeight(model, "fc.weight", Transposed(GroupSvdFactorizer.Reconstruct(f), Out, In));

        var rewritten = OnnxRewriter.Rewrite(model, [f]);

        var x = RandomInput(new Random(11), shape);
        var expected = Run(reference, "x", x, shape);
        AssertClose(Run(rewritten, "x", x, shape), expected);
        Assert.Throws<AssertionException>(() => AssertClose(Run(model, "x", x, shape), expected, 1e-2));
    }

    private static IEnumerable<TestCaseData> FormCases() =>
        from form in new[] { GroupedLinearForm.SplitConcat, GroupedLinearForm.Batched } from k in new[] { 1, 2, 4 } from r in new[] { 2, 3, 4 }
        select new TestCaseData(form, k, r).SetArgDisplayNames(form.ToString(), $"k{k}", $"rank{r}");

    /// <summary>No shape is recorded for the MatMul's input (it comes out of a Relu): both forms are rank-agnostic.</summary>
    [TestCaseSource(nameof(FormCases))]
    public void Rewrite_MatMulInputOfUnknownRank_MatchesMatMulWithReconstructedWeight(GroupedLinearForm form, int groups, int inputRank)
    {
        var (model, layer, w) = MatMulAdd(null, reluFirst: true);
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, groups, rank: 1);
        var reference = WithWeight(model, "fc.weight", Transposed(GroupSvdFactorizer.Reconstruct(f), Out, In));

        var rewritten = OnnxRewriter.Rewrite(model, [f], form: form);

        long[] shape = [.. Enumerable.Range(0, inputRank - 1).Select(d => (long)(d + 2)), In];
        var x = RandomInput(new Random(12), shape);
        AssertClose(Run(rewritten, "x", x, shape), Run(reference, "x", x, shape));
    }

    [TestCase(GroupedLinearForm.SplitConcat)]
    [TestCase(GroupedLinearForm.Batched)]
    public void Rewrite_GroupedGemm_BothFormsMatchGemmWithReconstructedWeight(GroupedLinearForm form)
    {
        var (model, layer, w) = Gemm(1, "vector");
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, 4, rank: 1);
        var reference = WithWeight(model, "fc.weight", GroupSvdFactorizer.Reconstruct(f));

        var rewritten = OnnxRewriter.Rewrite(model, [f], form: form);

        long[] shape = [Batch, In];
        var x = RandomInput(new Random(13), shape);
        AssertClose(Run(rewritten, "a", x, shape), Run(reference, "a", x, shape));
    }

    [Test]
    public void CheckRewritable_Opset10MatMulOfUnknownRank_RefusesNamingTheNode()
    {
        var (model, layer, _) = MatMulAdd(null, reluFirst: true);
        model.OpsetImport[0].Version = 10;

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.CheckRewritable(model, [layer]));
        Assert.That(ex!.Message, Does.Contain("node 'fc'").And.Contain("'r'").And.Not.Contain("\n"));
        Assert.DoesNotThrow(() => OnnxRewriter.CheckRewritable(model, [layer], GroupedLinearForm.Batched));
    }

    [Test]
    public void CheckRewritable_GemmWithTransA_RefusesNamingTheNode()
    {
        var (model, layer, _) = Gemm(1, "vector");
        model.Graph.Node[0].Attribute.Add(Int("transA", 1));

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.CheckRewritable(model, [layer]));
        Assert.That(ex!.Message, Does.Contain("transA").And.Contain("node 'fc'"));
    }

    [Test]
    public void Rewrite_GemmWithTransA_ThrowsModelFormatException()
    {
        var (model, layer, w) = Gemm(1, "vector");
        model.Graph.Node[0].Attribute.Add(Int("transA", 1));
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, 1, 1);

        var ex = Assert.Throws<ModelFormatException>(() => OnnxRewriter.Rewrite(model, [f]));
        Assert.That(ex!.Message, Does.Contain("transA").And.Contain("fc.weight"));
    }

    [Test]
    public void Rewrite_WeightShapeDisagreesWithLayer_ThrowsModelFormatException()
    {
        var (model, layer, w) = Gemm(1, "vector");
        var f = GroupSvdFactorizer.Factorize(layer, w, 0, 1, 1);
        // The spec claims the stored layout is [in, out], but transB = 1 stores [out, in].
        var wrong = f with { Layer = layer with { Out = In, In = Out }, Encoder = new double[Out], Decoder = new double[In] };

        Assert.Throws<ModelFormatException>(() => OnnxRewriter.Rewrite(model, [wrong]));
    }
}
