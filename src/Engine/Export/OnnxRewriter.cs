using Alds.Engine.Analysis;
using Alds.Engine.Decomposition;
using Alds.Engine.Layers;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Alds.Engine.Export;

/// <summary>
/// Rewrites an ONNX graph so that every compressed layer runs as its encoder followed by its
/// decoder (DESIGN §1). A <c>Conv</c> becomes a grouped <c>Conv</c> (<c>group = k</c>) and a
/// <c>Conv</c> carrying the bias; each spatial axis's stride, pads and dilation go to the side
/// whose kernel spans that axis (scheme 0: encoder, 3: decoder, 1: width → encoder, 2: height →
/// encoder), as torchprune's <c>FoldScheme.decompose_kwargs</c> does. A <c>Gemm</c> or
/// <c>MatMul</c> becomes an encoder <c>MatMul</c> (for <c>k &gt; 1</c> one of the rank-agnostic
/// <see cref="GroupedLinearForm"/>s, so no recorded shape is needed) and a decoder <c>Gemm</c>
/// (keeping alpha, beta and C) or <c>MatMul</c>.
/// Everything else in the model is left as it was; the input model is not modified.
/// </summary>
/// <remarks>
/// New initializers hold the factors rounded once to the weight's dtype (F32, F16, BF16 or F64).
/// Linear factors are stored as the operators need them: encoder <c>[in, j]</c> (<c>k = 1</c>), one
/// <c>[in/k, j]</c> per group (<c>X.encoding.weight.g</c>, split form) or <c>[k, in/k, j]</c> (batched form); decoder <c>[out, k·j]</c> for Gemm (transB = 1) and <c>[k·j, out]</c> for MatMul.
/// Models over 2 GB (protobuf's limit, external data) are out of scope.
/// </remarks>
public static class OnnxRewriter
{
    /// <summary>Model metadata key that holds the plan JSON.</summary>
    public const string PlanMetadataKey = "alds.plan";

    /// <summary>
    /// Returns a rewritten copy of <paramref name="model"/> with every layer of
    /// <paramref name="layers"/> replaced by its factors, and <paramref name="planJson"/> (when given)
    /// stored as metadata <see cref="PlanMetadataKey"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">A layer cannot be found or rewritten in this graph.</exception>
    /// <exception cref="ArgumentException">A layer's factors do not match its shape, scheme, groups and rank.</exception>
    internal static ModelProto Rewrite(ModelProto model, IReadOnlyList<FactorizedLayer> layers, string? planJson = null,
        GroupedLinearForm form = GroupedLinearForm.SplitConcat)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        if (model.Graph is null) throw new ModelFormatException("ONNX model has no graph");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in layers)
        {
            CheckFactors(f);
            if (!seen.Add(f.Layer.WeightTensor))
                throw new ArgumentException($"weight '{f.Layer.WeightTensor}' is listed twice", nameof(layers));
        }

        var result = model.Clone();
        var editor = new GraphEditor(result, form);
        foreach (var f in layers) editor.Replace(f);
        editor.DropUnusedWeights();
        if (planJson is not null)
        {
            for (int i = result.MetadataProps.Count - 1; i >= 0; i--)
                if (result.MetadataProps[i].Key == PlanMetadataKey) result.MetadataProps.RemoveAt(i);
            result.MetadataProps.Add(new StringStringEntryProto { Key = PlanMetadataKey, Value = planJson });
        }
        return result;
    }

    /// <summary>
    /// Checks, before any analysis, that every layer of <paramref name="layers"/> can be rewritten in this graph
    /// whatever scheme, groups and rank the plan will give it: its weight is a floating-point initializer read by
    /// Conv, Gemm or MatMul nodes whose attributes and shapes this rewriter supports, and a grouped linear encoder
    /// can be built in the model's opset (<paramref name="grouped"/>: the plan may give a layer more than one group).
    /// Throws one line naming the node and why.
    /// </summary>
    /// <exception cref="ModelFormatException">A layer cannot be rewritten.</exception>
    public static void CheckRewritable(ModelProto model, IEnumerable<LayerSpec> layers, GroupedLinearForm form = GroupedLinearForm.SplitConcat,
        bool grouped = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        if (model.Graph is null) throw new ModelFormatException("ONNX model has no graph");
        var editor = new GraphEditor(model, form);
        foreach (var l in layers) editor.Check(l, grouped);
    }

    private static void CheckFactors(FactorizedLayer f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var l = f.Layer;
        string where = $"layer '{l.Name}'";
        if (f.Scheme is < 0 or > 3) throw new ArgumentException($"{where}: scheme {f.Scheme} is not 0–3");
        if (f.Groups < 1 || l.In % f.Groups != 0) throw new ArgumentException($"{where}: groups {f.Groups} does not divide in = {l.In}");
        if (f.Rank < 1) throw new ArgumentException($"{where}: rank {f.Rank} < 1");
        if (l.Kind == LayerKind.Linear && (l.Kh != 1 || l.Kw != 1)) throw new ArgumentException($"{where}: linear layer with a {l.Kh}×{l.Kw} kernel");
        int enc = FoldScheme.EncoderTaps(f.Scheme, l.Kh, l.Kw), dec = FoldScheme.DecoderTaps(f.Scheme, l.Kh, l.Kw);
        long encLen = (long)f.Rank * l.In * enc, decLen = (long)l.Out * f.Groups * f.Rank * dec;
        if (f.Encoder is null || f.Encoder.LongLength != encLen)
            throw new ArgumentException($"{where}: encoder has {f.Encoder?.LongLength ?? 0} values, expected {encLen}");
        if (f.Decoder is null || f.Decoder.LongLength != decLen)
            throw new ArgumentException($"{where}: decoder has {f.Decoder?.LongLength ?? 0} values, expected {decLen}");
    }

    /// <summary>The mutable state of one rewrite: the graph, its names and the new initializers.</summary>
    private sealed class GraphEditor
    {
        private readonly ModelProto _model;
        private readonly GraphProto _graph;
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
        private readonly List<string> _replacedWeights = [];
        private readonly long _opset;
        private readonly GroupedLinearForm _form;

        public GraphEditor(ModelProto model, GroupedLinearForm form)
        {
            _form = form;
            _model = model;
            _graph = model.Graph;
            CollectNames(_graph);
            foreach (var t in _graph.Initializer) _initializers.TryAdd(t.Name, t);
            _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        }

        private void CollectNames(GraphProto g)
        {
            foreach (var v in g.Input) _names.Add(v.Name);
            foreach (var v in g.Output) _names.Add(v.Name);
            foreach (var v in g.ValueInfo) _names.Add(v.Name);
            foreach (var t in g.Initializer) _names.Add(t.Name);
            foreach (var n in g.Node)
            {
                _names.Add(n.Name);
                foreach (var s in n.Input) _names.Add(s);
                foreach (var s in n.Output) _names.Add(s);
                foreach (var a in n.Attribute)
                {
                    if (a.G is not null) CollectNames(a.G);
                    foreach (var sub in a.Graphs) CollectNames(sub);
                }
            }
        }

        /// <summary>A value, node or initializer name not used anywhere in the model yet.</summary>
        private string Fresh(string wanted)
        {
            if (_names.Add(wanted)) return wanted;
            for (int i = 1; ; i++)
                if (_names.Add($"{wanted}_{i}")) return $"{wanted}_{i}";
        }

        /// <summary>The layer's weight initializer and the indices of the nodes that use it as their weight.</summary>
        private (TensorProto Weight, DataType DType, List<int> Consumers) Resolve(LayerSpec l, string where)
        {
            if (!_initializers.TryGetValue(l.WeightTensor, out var weight))
                throw new ModelFormatException($"{where}: the graph has no initializer of that name");
            var dtype = (DataType)weight.DataType;
            if (dtype is not (DataType.Float or DataType.Float16 or DataType.Bfloat16 or DataType.Double))
                throw new ModelFormatException($"{where}: weight dtype {dtype} is not a floating-point type this rewriter writes");
            var consumers = new List<int>();
            for (int i = 0; i < _graph.Node.Count; i++)
            {
                var n = _graph.Node[i];
                if (n.Domain is "" or "ai.onnx" && n.OpType is "Conv" or "Gemm" or "MatMul" && n.Input.Count >= 2 && n.Input[1] == l.WeightTensor)
                    consumers.Add(i);
            }
            if (consumers.Count == 0)
                throw new ModelFormatException($"{where}: no Conv, Gemm or MatMul node takes it as its weight input");
            return (weight, dtype, consumers);
        }

        private static string Where(LayerSpec l) => $"ONNX rewrite: layer '{l.Name}' (weight '{l.WeightTensor}')";

        /// <summary>Everything <see cref="Replace"/> would refuse for this layer at any scheme, groups and rank.</summary>
        public void Check(LayerSpec l, bool grouped)
        {
            string where = Where(l);
            var (weight, _, consumers) = Resolve(l, where);
            foreach (int index in consumers)
            {
                var node = _graph.Node[index];
                string at = $"{where}, node '{NodeBase(node)}'";
                switch (node.OpType)
                {
                    case "Conv": ReadConv(node, l, weight, at); break;
                    case "Gemm": ReadGemm(node, l, weight, grouped && l.In > 1, at); break;
                    default:
                        CheckLinear(l, at);
                        CheckDims(weight, [l.In, l.Out], at);
                        if (grouped && l.In > 1) CheckGroupedEncoder(node, rank2: false, at);
                        break;
                }
            }
        }

        public void Replace(FactorizedLayer f)
        {
            var l = f.Layer;
            string where = Where(l);
            var (weight, dtype, consumers) = Resolve(l, where);
            var factors = new FactorInitializers(this, f, dtype);
            for (int c = consumers.Count - 1; c >= 0; c--)
            {
                int index = consumers[c];
                var node = _graph.Node[index];
                string at = $"{where}, node '{NodeBase(node)}'";
                var replacement = node.OpType switch
                {
                    "Conv" => RewriteConv(node, f, weight, factors, at),
                    "Gemm" => RewriteGemm(node, f, weight, factors, at),
                    _ => RewriteMatMul(node, f, weight, factors, at),
                };
                _graph.Node.RemoveAt(index);
                for (int r = replacement.Count - 1; r >= 0; r--) _graph.Node.Insert(index, replacement[r]);
            }
            _replacedWeights.Add(l.WeightTensor);
        }

        private static string NodeBase(NodeProto n) => n.Name.Length > 0 ? n.Name : n.Output.Count > 0 ? n.Output[0] : n.OpType;

        private static void CheckDims(TensorProto weight, long[] expected, string at)
        {
            if (!weight.Dims.SequenceEqual(expected))
                throw new ModelFormatException($"{at}: weight shape [{string.Join(", ", weight.Dims)}] does not match the layer, expected [{string.Join(", ", expected)}]");
        }

        private readonly record struct ConvAttributes(long[] Strides, long[] Dilations, long[] Pads, string? AutoPad);

        private static ConvAttributes ReadConv(NodeProto node, LayerSpec l, TensorProto weight, string at)
        {
            if (l.Kind != LayerKind.Conv) throw new ModelFormatException($"{at}: a linear layer cannot be rewritten as a Conv node");
            CheckDims(weight, [l.Out, l.In, l.Kh, l.Kw], at);
            long group = 1;
            long[] strides = [1, 1], dilations = [1, 1], pads = [0, 0, 0, 0];
            string autoPad = "NOTSET";
            foreach (var a in node.Attribute)
            {
                switch (a.Name)
                {
                    case "group": group = a.I; break;
                    case "strides": strides = Ints(a, 2, at); break;
                    case "dilations": dilations = Ints(a, 2, at); break;
                    case "pads": pads = Ints(a, 4, at); break;
                    case "auto_pad": autoPad = a.S.ToStringUtf8(); break;
                    case "kernel_shape":
                        if (!Ints(a, 2, at).SequenceEqual([l.Kh, l.Kw]))
                            throw new ModelFormatException($"{at}: kernel_shape [{string.Join(", ", a.Ints)}] does not match the weight");
                        break;
                    default: throw new ModelFormatException($"{at}: unknown Conv attribute '{a.Name}'");
                }
            }
            if (group != 1) throw new ModelFormatException($"{at}: Conv with group = {group} is not compressible");
            // SAME_* pads each axis from that axis's own input length, kernel, stride and dilation;
            // the side that does not hold an axis has kernel 1 and stride 1 there, so it neither pads
            // nor resizes it, and keeping auto_pad on both convolutions reproduces the original exactly.
            bool same = autoPad is "SAME_UPPER" or "SAME_LOWER";
            if (autoPad is "VALID") pads = [0, 0, 0, 0];
            else if (!same && autoPad is not ("NOTSET" or ""))
                throw new ModelFormatException($"{at}: auto_pad '{autoPad}' is not supported");
            return new ConvAttributes(strides, dilations, pads, same ? autoPad : null);
        }

        private List<NodeProto> RewriteConv(NodeProto node, FactorizedLayer f, TensorProto weight, FactorInitializers factors, string at)
        {
            var l = f.Layer;
            var (strides, dilations, pads, autoPad) = ReadConv(node, l, weight, at);
            bool encH = f.Scheme is 0 or 2, encW = f.Scheme is 0 or 1;
            var (eKh, eKw) = FoldScheme.EncoderKernel(f.Scheme, l.Kh, l.Kw);
            var (dKh, dKw) = FoldScheme.DecoderKernel(f.Scheme, l.Kh, l.Kw);
            string nodeBase = NodeBase(node), hidden = Fresh($"{nodeBase}_alds_enc_out");

            var enc = new NodeProto { Name = Fresh($"{nodeBase}_alds_enc"), OpType = "Conv", Domain = node.Domain };
            enc.Input.Add(node.Input[0]);
            enc.Input.Add(factors.Encoder("conv", () => ([(long)f.Groups * f.Rank, l.In / f.Groups, eKh, eKw], f.Encoder)));
            enc.Output.Add(hidden);
            AddConvAttributes(enc, [eKh, eKw], strides, dilations, pads, encH, encW, autoPad);
            enc.Attribute.Add(IntAttr("group", f.Groups));

            var dec = new NodeProto { Name = Fresh($"{nodeBase}_alds_dec"), OpType = "Conv", Domain = node.Domain };
            dec.Input.Add(hidden);
            dec.Input.Add(factors.Decoder("conv", () => ([l.Out, (long)f.Groups * f.Rank, dKh, dKw], f.Decoder)));
            if (node.Input.Count > 2 && node.Input[2].Length > 0) dec.Input.Add(node.Input[2]);
            dec.Output.Add(node.Output[0]);
            AddConvAttributes(dec, [dKh, dKw], strides, dilations, pads, !encH, !encW, autoPad);
            return [enc, dec];
        }

        private static void AddConvAttributes(NodeProto n, long[] kernel, long[] strides, long[] dilations, long[] pads,
            bool holdsH, bool holdsW, string? autoPad)
        {
            n.Attribute.Add(IntsAttr("kernel_shape", kernel));
            n.Attribute.Add(IntsAttr("strides", [holdsH ? strides[0] : 1, holdsW ? strides[1] : 1]));
            n.Attribute.Add(IntsAttr("dilations", [holdsH ? dilations[0] : 1, holdsW ? dilations[1] : 1]));
            if (autoPad is not null)
                n.Attribute.Add(new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(autoPad) });
            else
                n.Attribute.Add(IntsAttr("pads", [holdsH ? pads[0] : 0, holdsW ? pads[1] : 0, holdsH ? pads[2] : 0, holdsW ? pads[3] : 0]));
        }

        private void ReadGemm(NodeProto node, LayerSpec l, TensorProto weight, bool grouped, string at)
        {
            CheckLinear(l, at);
            long transA = 0, transB = 0;
            foreach (var a in node.Attribute)
            {
                if (a.Name == "transA") transA = a.I;
                else if (a.Name == "transB") transB = a.I;
            }
            if (transA != 0) throw new ModelFormatException($"{at}: Gemm with transA = 1 is not supported");
            CheckDims(weight, transB != 0 ? [l.Out, l.In] : [l.In, l.Out], at);
            if (grouped) CheckGroupedEncoder(node, rank2: true, at);
        }

        private List<NodeProto> RewriteGemm(NodeProto node, FactorizedLayer f, TensorProto weight, FactorInitializers factors, string at)
        {
            var l = f.Layer;
            ReadGemm(node, l, weight, f.Groups > 1, at);
            var nodes = new List<NodeProto>();
            string hidden = LinearEncoder(node, f, factors, rank2: true, nodes);
            var dec = new NodeProto { Name = Fresh($"{NodeBase(node)}_alds_dec"), OpType = "Gemm", Domain = node.Domain };
            dec.Input.Add(hidden);
            dec.Input.Add(factors.Decoder("gemm", () => ([l.Out, (long)f.Groups * f.Rank], f.Decoder)));
            if (node.Input.Count > 2 && node.Input[2].Length > 0) dec.Input.Add(node.Input[2]);
            dec.Output.Add(node.Output[0]);
            // alpha, beta (and the pre-opset-7 broadcast flag) keep their meaning: Y = alpha·H·Dᵀ + beta·C.
            foreach (var a in node.Attribute)
                if (a.Name is not ("transA" or "transB")) dec.Attribute.Add(a.Clone());
            dec.Attribute.Add(IntAttr("transB", 1));
            nodes.Add(dec);
            return nodes;
        }

        private List<NodeProto> RewriteMatMul(NodeProto node, FactorizedLayer f, TensorProto weight, FactorInitializers factors, string at)
        {
            var l = f.Layer;
            CheckLinear(l, at);
            CheckDims(weight, [l.In, l.Out], at);
            if (f.Groups > 1) CheckGroupedEncoder(node, rank2: false, at);
            var nodes = new List<NodeProto>();
            string hidden = LinearEncoder(node, f, factors, rank2: false, nodes);
            var dec = new NodeProto { Name = Fresh($"{NodeBase(node)}_alds_dec"), OpType = "MatMul", Domain = node.Domain };
            dec.Input.Add(hidden);
            dec.Input.Add(factors.Decoder("matmul", () => ([(long)f.Groups * f.Rank, l.Out], Transpose(f.Decoder, l.Out, f.Groups * f.Rank))));
            dec.Output.Add(node.Output[0]);
            nodes.Add(dec);
            return nodes;
        }

        private static void CheckLinear(LayerSpec l, string at)
        {
            if (l.Kh != 1 || l.Kw != 1) throw new ModelFormatException($"{at}: a {l.Kh}×{l.Kw} conv layer cannot be rewritten as a Gemm/MatMul node");
        }

        /// <summary>
        /// Refuses a node whose grouped encoder (<c>k &gt; 1</c>) cannot be expressed in the model's opset. A Gemm's
        /// input is 2-D by definition; a MatMul's rank is only needed for <see cref="GroupedLinearForm.SplitConcat"/>
        /// below opset 11 (no negative axes there).
        /// </summary>
        private void CheckGroupedEncoder(NodeProto node, bool rank2, string at)
        {
            if (_opset is > 0 and < 5)
                throw new ModelFormatException($"{at}: grouped linear encoders need opset 5 or later, the model imports opset {_opset} (use --max-groups 1)");
            if (_form == GroupedLinearForm.Batched && !rank2 && _opset is > 0 and < 10)
                throw new ModelFormatException($"{at}: the batched grouped encoder needs Slice from opset 10, the model imports opset {_opset} (use --max-groups 1)");
            if (_form == GroupedLinearForm.SplitConcat && !rank2 && _opset is > 0 and < 11 && InputRank(node.Input[0]) < 1)
                throw new ModelFormatException($"{at}: the model imports opset {_opset} (no negative axes before 11) and the rank of MatMul input '{node.Input[0]}' is not recorded, so its channel groups cannot be split (use --max-groups 1)");
        }

        /// <summary>
        /// Appends the encoder nodes for input <c>[..., in]</c> (<paramref name="rank2"/>: known to be 2-D) and returns
        /// the name of their output <c>[..., k·j]</c>; for <c>k &gt; 1</c> in the editor's <see cref="GroupedLinearForm"/>.
        /// </summary>
        private string LinearEncoder(NodeProto node, FactorizedLayer f, FactorInitializers factors, bool rank2, List<NodeProto> nodes)
        {
            var l = f.Layer;
            int k = f.Groups, j = f.Rank, perGroup = l.In / k;
            string nodeBase = NodeBase(node), x = node.Input[0], domain = node.Domain;
            string Name(string suffix) => Fresh($"{nodeBase}_alds_{suffix}");
            if (k == 1)
            {
                string encName = factors.Encoder("linear", () => ([l.In, j], GroupedEncoderTransposed(f.Encoder, 1, j, perGroup)));
                string outName = Name("enc_out");
                nodes.Add(Node("MatMul", Name("enc"), domain, [x, encName], outName));
                return outName;
            }
            if (_form == GroupedLinearForm.SplitConcat)
            {
                var all = GroupedEncoderTransposed(f.Encoder, k, j, perGroup);
                long axis = _opset is > 0 and < 11 ? (rank2 ? 2 : InputRank(x)) - 1 : -1;
                var parts = Enumerable.Range(0, k).Select(g => Name($"enc_in{g}")).ToArray();
                var split = new NodeProto { OpType = "Split", Name = Name("enc_split"), Domain = domain };
                split.Input.Add(x);
                split.Output.AddRange(parts);
                split.Attribute.Add(IntAttr("axis", axis));
                var sizes = Enumerable.Repeat((long)perGroup, k).ToArray();
                if (_opset is 0 or >= 13) split.Input.Add(AddInitializer(Int64Tensor(Name("enc_split_sizes"), sizes)));
                else split.Attribute.Add(IntsAttr("split", sizes));
                nodes.Add(split);
                var products = new string[k];
                for (int g = 0; g < k; g++)
                {
                    int group = g;
                    string w = factors.Encoder($"linear{g}", () => ([perGroup, j], all.AsSpan(group * perGroup * j, perGroup * j).ToArray()), $".{g}");
                    products[g] = Name($"enc_out{g}");
                    nodes.Add(Node("MatMul", Name($"enc{g}"), domain, [parts[g], w], products[g]));
                }
                string merged = Name("enc_out");
                var concat = Node("Concat", Name("enc_concat"), domain, products, merged);
                concat.Attribute.Add(IntAttr("axis", axis));
                nodes.Add(concat);
                return merged;
            }

            // Batched: [N, k, in/k] → [k, N, in/k] · [k, in/k, j] → [k, N, j] → [N, k, j] → [..., k·j].
            string encBatched = factors.Encoder("batched", () => ([k, perGroup, j], GroupedEncoderTransposed(f.Encoder, k, j, perGroup)));
            string flat = Name("enc_flat"), byGroup = Name("enc_by_group"), prod = Name("enc_groups"), back = Name("enc_back"), outN = Name("enc_out");
            nodes.Add(Node("Reshape", Name("enc_reshape_in"), domain, [x, AddInitializer(Int64Tensor(Name("enc_shape_in"), [-1, k, perGroup]))], flat));
            var t1 = Node("Transpose", Name("enc_transpose_in"), domain, [flat], byGroup);
            t1.Attribute.Add(IntsAttr("perm", [1, 0, 2]));
            nodes.Add(t1);
            nodes.Add(Node("MatMul", Name("enc"), domain, [byGroup, encBatched], prod));
            var t2 = Node("Transpose", Name("enc_transpose_out"), domain, [prod], back);
            t2.Attribute.Add(IntsAttr("perm", [1, 0, 2]));
            nodes.Add(t2);
            string target;
            if (rank2) target = AddInitializer(Int64Tensor(Name("enc_shape_out"), [-1, (long)k * j]));
            else
            {
                string shape = Name("enc_in_shape"), lead = Name("enc_lead");
                target = Name("enc_shape_out");
                nodes.Add(Node("Shape", Name("enc_shape"), domain, [x], shape));
                nodes.Add(Node("Slice", Name("enc_slice"), domain,
                    [shape, AddInitializer(Int64Tensor(Name("enc_lead_start"), [0])), AddInitializer(Int64Tensor(Name("enc_lead_end"), [-1]))], lead));
                var cat = Node("Concat", Name("enc_shape_concat"), domain, [lead, AddInitializer(Int64Tensor(Name("enc_width"), [(long)k * j]))], target);
                cat.Attribute.Add(IntAttr("axis", 0));
                nodes.Add(cat);
            }
            nodes.Add(Node("Reshape", Name("enc_reshape_out"), domain, [back, target], outN));
            return outN;
        }

        private int InputRank(string name)
        {
            if (_initializers.TryGetValue(name, out var t)) return t.Dims.Count;
            foreach (var v in _graph.Input.Concat(_graph.ValueInfo).Concat(_graph.Output))
                if (v.Name == name && v.Type?.TensorType?.Shape is { } shape) return shape.Dim.Count;
            return 0;
        }

        /// <summary>Adds an initializer (and, below IR 4, the graph input that must declare it).</summary>
        public string AddInitializer(TensorProto t)
        {
            _graph.Initializer.Add(t);
            _initializers[t.Name] = t;
            if (_model.IrVersion < 4)
            {
                var shape = new TensorShapeProto();
                foreach (var d in t.Dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
                _graph.Input.Add(new ValueInfoProto
                {
                    Name = t.Name,
                    Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = t.DataType, Shape = shape } },
                });
            }
            return t.Name;
        }

        public string FreshName(string wanted) => Fresh(wanted);

        /// <summary>Removes replaced weights that nothing reads any more, with their input and value_info entries.</summary>
        public void DropUnusedWeights()
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            CollectUses(_graph, used);
            foreach (var v in _graph.Output) used.Add(v.Name);
            foreach (var w in _replacedWeights)
            {
                if (used.Contains(w)) continue;
                RemoveAll(_graph.Initializer, t => t.Name == w);
                RemoveAll(_graph.Input, v => v.Name == w);
                RemoveAll(_graph.ValueInfo, v => v.Name == w);
            }
        }

        private static void CollectUses(GraphProto g, HashSet<string> used)
        {
            foreach (var n in g.Node)
            {
                foreach (var s in n.Input) used.Add(s);
                foreach (var a in n.Attribute)
                {
                    if (a.G is not null) CollectUses(a.G, used);
                    foreach (var sub in a.Graphs) CollectUses(sub, used);
                }
            }
        }

        private static void RemoveAll<T>(Google.Protobuf.Collections.RepeatedField<T> list, Func<T, bool> match)
        {
            for (int i = list.Count - 1; i >= 0; i--)
                if (match(list[i])) list.RemoveAt(i);
        }
    }

    /// <summary>The encoder and decoder initializers of one layer, created once per operator layout.</summary>
    private sealed class FactorInitializers(GraphEditor editor, FactorizedLayer f, DataType dtype)
    {
        private readonly Dictionary<string, string> _made = new(StringComparer.Ordinal);
        private readonly string _base = f.Layer.WeightTensor.EndsWith(".weight", StringComparison.Ordinal)
            ? f.Layer.WeightTensor[..^".weight".Length] : f.Layer.WeightTensor;

        public string Encoder(string layout, Func<(long[] Dims, double[] Values)> make, string suffix = "") => Get("encoding", layout, make, suffix);
        public string Decoder(string layout, Func<(long[] Dims, double[] Values)> make) => Get("decoding", layout, make, "");

        private string Get(string role, string layout, Func<(long[] Dims, double[] Values)> make, string suffix)
        {
            string key = role + "/" + layout;
            if (_made.TryGetValue(key, out var name)) return name;
            var (dims, values) = make();
            name = editor.AddInitializer(OnnxTensors.FromDoubles(editor.FreshName($"{_base}.{role}.weight{suffix}"), dtype, dims, values));
            _made[key] = name;
            return name;
        }
    }

    private static TensorProto Int64Tensor(string name, long[] values) => OnnxTensors.FromInt64s(name, [values.Length], values);

    private static NodeProto Node(string op, string name, string domain, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name, Domain = domain };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    private static long[] Ints(AttributeProto a, int count, string at)
    {
        if (a.Ints.Count != count)
            throw new ModelFormatException($"{at}: attribute '{a.Name}' has {a.Ints.Count} values, expected {count} (only 2-D convolutions are supported)");
        return [.. a.Ints];
    }

    private static AttributeProto IntAttr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto IntsAttr(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary><c>[k·j, in/k]</c> encoder → <c>[k, in/k, j]</c> (group g, input c, rank r) = E[g·j + r, c].</summary>
    private static double[] GroupedEncoderTransposed(double[] e, int k, int j, int perGroup)
    {
        var t = new double[e.Length];
        for (int g = 0; g < k; g++)
            for (int r = 0; r < j; r++)
                for (int c = 0; c < perGroup; c++)
                    t[((long)g * perGroup + c) * j + r] = e[((long)g * j + r) * perGroup + c];
        return t;
    }

    private static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[(long)c * rows + r] = a[(long)r * cols + c];
        return t;
    }
}
