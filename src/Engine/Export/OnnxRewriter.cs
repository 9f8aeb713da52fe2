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
/// <c>MatMul</c> becomes an encoder <c>MatMul</c> (for <c>k &gt; 1</c> a batched one between two
/// <c>Reshape</c>s) and a decoder <c>Gemm</c> (keeping alpha, beta and C) or <c>MatMul</c>.
/// Everything else in the model is left as it was; the input model is not modified.
/// </summary>
/// <remarks>
/// New initializers hold the factors rounded once to the weight's dtype (F32, F16, BF16 or F64).
/// Linear factors are stored as the operators need them: encoder <c>[in, j]</c> (<c>k = 1</c>) or
/// <c>[k, in/k, j]</c>; decoder <c>[out, k·j]</c> for Gemm (transB = 1) and <c>[k·j, out]</c> for MatMul.
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
    public static ModelProto Rewrite(ModelProto model, IReadOnlyList<FactorizedLayer> layers, string? planJson = null)
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
        var editor = new GraphEditor(result);
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

        public GraphEditor(ModelProto model)
        {
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

        public void Replace(FactorizedLayer f)
        {
            var l = f.Layer;
            string where = $"ONNX rewrite: layer '{l.Name}' (weight '{l.WeightTensor}')";
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

        private List<NodeProto> RewriteConv(NodeProto node, FactorizedLayer f, TensorProto weight, FactorInitializers factors, string at)
        {
            var l = f.Layer;
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

            bool encH = f.Scheme is 0 or 2, encW = f.Scheme is 0 or 1;
            var (eKh, eKw) = FoldScheme.EncoderKernel(f.Scheme, l.Kh, l.Kw);
            var (dKh, dKw) = FoldScheme.DecoderKernel(f.Scheme, l.Kh, l.Kw);
            string nodeBase = NodeBase(node), hidden = Fresh($"{nodeBase}_alds_enc_out");

            var enc = new NodeProto { Name = Fresh($"{nodeBase}_alds_enc"), OpType = "Conv", Domain = node.Domain };
            enc.Input.Add(node.Input[0]);
            enc.Input.Add(factors.Encoder("conv", () => ([(long)f.Groups * f.Rank, l.In / f.Groups, eKh, eKw], f.Encoder)));
            enc.Output.Add(hidden);
            AddConvAttributes(enc, [eKh, eKw], strides, dilations, pads, encH, encW, same ? autoPad : null);
            enc.Attribute.Add(IntAttr("group", f.Groups));

            var dec = new NodeProto { Name = Fresh($"{nodeBase}_alds_dec"), OpType = "Conv", Domain = node.Domain };
            dec.Input.Add(hidden);
            dec.Input.Add(factors.Decoder("conv", () => ([l.Out, (long)f.Groups * f.Rank, dKh, dKw], f.Decoder)));
            if (node.Input.Count > 2 && node.Input[2].Length > 0) dec.Input.Add(node.Input[2]);
            dec.Output.Add(node.Output[0]);
            AddConvAttributes(dec, [dKh, dKw], strides, dilations, pads, !encH, !encW, same ? autoPad : null);
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

        private List<NodeProto> RewriteGemm(NodeProto node, FactorizedLayer f, TensorProto weight, FactorInitializers factors, string at)
        {
            var l = f.Layer;
            CheckLinear(l, at);
            long transA = 0, transB = 0;
            foreach (var a in node.Attribute)
            {
                if (a.Name == "transA") transA = a.I;
                else if (a.Name == "transB") transB = a.I;
            }
            if (transA != 0) throw new ModelFormatException($"{at}: Gemm with transA = 1 is not supported");
            CheckDims(weight, transB != 0 ? [l.Out, l.In] : [l.In, l.Out], at);

            var nodes = new List<NodeProto>();
            string hidden = LinearEncoder(node, f, factors, rank: 2, nodes, at);
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
            int rank = 0;
            if (f.Groups > 1)
            {
                rank = InputRank(node.Input[0]);
                if (rank < 2)
                    throw new ModelFormatException($"{at}: the rank of MatMul input '{node.Input[0]}' is not recorded in the graph, so its {f.Groups} channel groups cannot be split (use groups = 1 or run shape inference first)");
            }
            var nodes = new List<NodeProto>();
            string hidden = LinearEncoder(node, f, factors, rank, nodes, at);
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
        /// Appends the encoder nodes for input <c>[..., in]</c> of the given rank and returns the name
        /// of their output <c>[..., k·j]</c>. For <c>k &gt; 1</c>: Reshape to <c>[..., k, 1, in/k]</c>,
        /// MatMul by <c>[k, in/k, j]</c> (broadcast over the leading axes), Reshape to <c>[..., k·j]</c>.
        /// </summary>
        private string LinearEncoder(NodeProto node, FactorizedLayer f, FactorInitializers factors, int rank, List<NodeProto> nodes, string at)
        {
            var l = f.Layer;
            int k = f.Groups, j = f.Rank, perGroup = l.In / k;
            string nodeBase = NodeBase(node);
            long[] encDims = k == 1 ? [l.In, j] : [k, perGroup, j];
            string encName = factors.Encoder("linear", () => (encDims, GroupedEncoderTransposed(f.Encoder, k, j, perGroup)));
            if (k == 1)
            {
                string outName = Fresh($"{nodeBase}_alds_enc_out");
                nodes.Add(Node("MatMul", Fresh($"{nodeBase}_alds_enc"), node.Domain, [node.Input[0], encName], outName));
                return outName;
            }
            if (_opset is > 0 and < 5)
                throw new ModelFormatException($"{at}: grouped linear encoders need Reshape from opset 5, the model imports opset {_opset}");
            var lead = Enumerable.Repeat(0L, rank - 1);
            string shapeIn = AddInitializer(Int64Tensor(Fresh($"{nodeBase}_alds_enc_shape_in"), [.. lead, k, 1, perGroup]));
            string shapeOut = AddInitializer(Int64Tensor(Fresh($"{nodeBase}_alds_enc_shape_out"), [.. lead, (long)k * j]));
            string split = Fresh($"{nodeBase}_alds_enc_split"), product = Fresh($"{nodeBase}_alds_enc_groups"), merged = Fresh($"{nodeBase}_alds_enc_out");
            nodes.Add(Node("Reshape", Fresh($"{nodeBase}_alds_enc_reshape_in"), node.Domain, [node.Input[0], shapeIn], split));
            nodes.Add(Node("MatMul", Fresh($"{nodeBase}_alds_enc"), node.Domain, [split, encName], product));
            nodes.Add(Node("Reshape", Fresh($"{nodeBase}_alds_enc_reshape_out"), node.Domain, [product, shapeOut], merged));
            return merged;
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

        public string Encoder(string layout, Func<(long[] Dims, double[] Values)> make) => Get("encoding", layout, make);
        public string Decoder(string layout, Func<(long[] Dims, double[] Values)> make) => Get("decoding", layout, make);

        private string Get(string role, string layout, Func<(long[] Dims, double[] Values)> make)
        {
            string key = role + "/" + layout;
            if (_made.TryGetValue(key, out var name)) return name;
            var (dims, values) = make();
            name = editor.AddInitializer(OnnxTensors.FromDoubles(editor.FreshName($"{_base}.{role}.weight"), dtype, dims, values));
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
