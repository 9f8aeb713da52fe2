using Alds.Engine.Decomposition;
using Alds.Engine.IO;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Alds.Engine.Tensors;

namespace Alds.Engine.Export;

/// <summary>Output formats of <c>alds compress</c>.</summary>
public enum OutputFormat
{
    /// <summary>A safetensors file with the factors (docs/format.md).</summary>
    Safetensors,
    /// <summary>The ONNX graph with every compressed layer rewritten as its encoder and decoder.</summary>
    Onnx,
}

/// <summary>
/// Factorises a plan's layers and writes the compressed model (docs/format.md for safetensors; the ONNX
/// graph rewrite otherwise). Atomic: the output appears complete or not at all; the input is never touched.
/// </summary>
public static partial class CompressedModelWriter
{
    /// <summary>Keys and values of the safetensors header's <c>__metadata__</c> (docs/format.md).</summary>
    public const string FormatKey = "format", FormatValue = "alds", VersionKey = "alds.version", PlanKey = "alds.plan";

    /// <summary>Writes the compressed model and returns the plan with measured errors.</summary>
    /// <exception cref="ModelFormatException">Bad input (one line naming the file).</exception>
    /// <exception cref="OutputWriteException">The output cannot be written (one line naming <paramref name="output"/>).</exception>
    public static Plan Write(IModelSource source, Plan plan, string output, OutputFormat format,
        IProgress<(int done, int total, string layer)>? progress = null, CancellationToken cancel = default,
        GroupedLinearForm form = GroupedLinearForm.SplitConcat, ILayerFactorizer? factorizer = null)
    {
        if (source is ShardedSafetensorsModelSource sharded && format == OutputFormat.Safetensors)
        {
            try { SafetensorsWriter.EnsureNotSameFile(source.Path, output); }
            catch (OutputIsInputException e) { throw new ModelFormatException(e.Message); }
            return ShardedCompressedWriter.Write(sharded, plan, output, progress, cancel);
        }
        CheckOutput(source.Path, output);
        try
        {
            return format switch
            {
                OutputFormat.Safetensors => WriteSafetensors(source, plan, output, progress, cancel, factorizer),
                OutputFormat.Onnx => WriteOnnx(source, plan, output, progress, cancel, form, factorizer),
                _ => throw new ArgumentOutOfRangeException(nameof(format)),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The message of a failed write names the temporary sibling; the user knows the output.
            throw new OutputWriteException($"{output}: cannot write: {QuotedTempPath().Replace(TempPathSuffix().Replace(e.Message, ""), "it")}", e);
        }
    }

    /// <summary>
    /// Refuses, before any work, an output that is the input (also through a link or another spelling), an
    /// existing folder, or a path in a folder that does not exist. Throws <see cref="ModelFormatException"/>.
    /// </summary>
    public static void CheckOutput(string input, string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        try { SafetensorsWriter.EnsureNotSameFile(input, output); }
        catch (OutputIsInputException e) { throw new ModelFormatException(e.Message); }
        var full = Path.GetFullPath(output);
        if (Directory.Exists(full))
            throw new ModelFormatException($"{output}: is a directory, not a file path");
        var dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new ModelFormatException($"{output}: the folder '{dir}' does not exist");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*:?\s*'[^']*\.tmp'\.?$")]
    private static partial System.Text.RegularExpressions.Regex TempPathSuffix();

    // "Access to the path '/dir/.x.tmp' is denied." names the temporary inside the sentence.
    [System.Text.RegularExpressions.GeneratedRegex(@"(the path )?'[^']*\.tmp'")]
    private static partial System.Text.RegularExpressions.Regex QuotedTempPath();

    private static Plan WriteOnnx(IModelSource source, Plan plan, string output,
        IProgress<(int, int, string)>? progress, CancellationToken cancel, GroupedLinearForm form, ILayerFactorizer? factorizer)
    {
        if (source is not OnnxModelSource onnx)
            throw new ModelFormatException($"{source.Path}: --format onnx needs an ONNX input model");
        var factors = new List<FactorizedLayer>();
        var entries = source.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var measured = PlanFactorizer.Run(source, plan, (f, _) => factors.Add(f), progress, cancel,
            quantize: f => RoundTo(FactorDType(entries[f.Layer.WeightTensor].DType), f), factorizer: factorizer);
        cancel.ThrowIfCancellationRequested();
        var rewritten = OnnxRewriter.Rewrite(onnx.Model, factors, PlanJson.Write(measured), form);
        OnnxModelWriter.Write(rewritten, output, cancel);
        return measured;
    }

    private static Plan WriteSafetensors(IModelSource source, Plan plan, string output,
        IProgress<(int, int, string)>? progress, CancellationToken cancel, ILayerFactorizer? factorizer)
    {
        using var store = new FactorStore(output);
        var (tensors, measured) = Factorize(source, plan, store, progress, cancel, factorizer);
        var writer = new SafetensorsWriter(Metadata(source is SafetensorsModelSource st ? st.File.Metadata : null, measured));
        foreach (var t in source.Tensors) tensors.Declare(writer, t);
        try { writer.WriteTo(output, [source.Path], cancel); }
        catch (OutputIsInputException e) { throw new ModelFormatException($"{output}: {e.Message}"); }
        return measured;
    }

    /// <summary>Factorises the plan's layers into <paramref name="store"/>; returns how to declare each input tensor's output.</summary>
    internal static (OutputTensors tensors, Plan measured) Factorize(IModelSource source, Plan plan, FactorStore store,
        IProgress<(int, int, string)>? progress, CancellationToken cancel, ILayerFactorizer? factorizer = null)
    {
        var tensors = new OutputTensors(source, plan, store);
        tensors.EnsureUniqueNames(source.Path, source.Tensors);
        var entries = source.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var measured = PlanFactorizer.Run(source, plan, (f, _) =>
        {
            var dtype = FactorDType(entries[f.Layer.WeightTensor].DType);
            store.Add(f.Layer.Name + ".encoding.weight", dtype, f.Encoder);
            store.Add(f.Layer.Name + ".decoding.weight", dtype, f.Decoder);
        }, progress, cancel, quantize: f => RoundTo(FactorDType(entries[f.Layer.WeightTensor].DType), f), factorizer: factorizer);
        cancel.ThrowIfCancellationRequested();
        return (tensors, measured);
    }

    /// <summary>Maps each input tensor to what the compressed model holds in its place (factors, renamed bias, or itself).</summary>
    internal sealed class OutputTensors(IModelSource source, Plan plan, FactorStore store)
    {
        private readonly Dictionary<string, LayerChoice> _compressed =
            plan.Layers.Where(l => l.Compressed).ToDictionary(l => l.Layer.WeightTensor, StringComparer.Ordinal);
        private readonly Dictionary<string, LayerChoice> _biasOf = plan.Layers.Where(l => l.Compressed && l.Layer.BiasTensor is not null)
            .ToDictionary(l => l.Layer.BiasTensor!, StringComparer.Ordinal);

        /// <summary>The output's tensor names; one already taken (e.g. an existing <c>X.decoding.bias</c>) is refused before any work.</summary>
        public void EnsureUniqueNames(string path, IEnumerable<TensorEntry> inputs)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in inputs)
                foreach (var name in OutputNames(t))
                    if (!seen.Add(name))
                        throw new ModelFormatException($"{Path.GetFileName(path)}: the compressed model would hold tensor '{name}' twice (the input already has a tensor of that name); rename it or --exclude its layer");
        }

        private IEnumerable<string> OutputNames(TensorEntry t)
        {
            if (_compressed.TryGetValue(t.Name, out var choice))
            {
                yield return choice.Layer.Name + ".encoding.weight";
                yield return choice.Layer.Name + ".decoding.weight";
            }
            else if (_biasOf.TryGetValue(t.Name, out var owner)) yield return owner.Layer.Name + ".decoding.bias";
            else yield return t.Name;
        }

        /// <summary>Declares on <paramref name="writer"/> the output tensor(s) that replace input tensor <paramref name="t"/>.</summary>
        public void Declare(SafetensorsWriter writer, TensorEntry t)
        {
            if (_compressed.TryGetValue(t.Name, out var choice))
            {
                var (encoderShape, decoderShape) = FactorShapes(choice);
                var dtype = FactorDType(t.DType);
                string enc = choice.Layer.Name + ".encoding.weight", dec = choice.Layer.Name + ".decoding.weight";
                writer.Add(enc, dtype, encoderShape, s => store.CopyTo(enc, s));
                writer.Add(dec, dtype, decoderShape, s => store.CopyTo(dec, s));
            }
            else if (_biasOf.TryGetValue(t.Name, out var owner))
                writer.Add(owner.Layer.Name + ".decoding.bias", t.DType, t.Shape, s => source.CopyRawBytes(t.Name, s));
            else
                writer.Add(t.Name, t.DType, t.Shape, s => source.CopyRawBytes(t.Name, s));
        }
    }

    private static DType FactorDType(DType weight) => weight.IsComputable() ? weight : DType.F32;

    /// <summary>Rounds the factors to <paramref name="dtype"/> in place (encode, then decode exactly).</summary>
    private static void RoundTo(DType dtype, FactorizedLayer f)
    {
        if (dtype == DType.F64) return;
        // In chunks: a whole-factor byte array would be one more large buffer at the stage's peak.
        const int Chunk = 1 << 16;
        var bytes = new byte[Chunk * (dtype.Bits() / 8)];
        foreach (var values in new[] { f.Encoder, f.Decoder })
            for (int start = 0; start < values.Length; start += Chunk)
            {
                var part = values.AsSpan(start, Math.Min(Chunk, values.Length - start));
                var encoded = bytes.AsSpan(0, part.Length * (dtype.Bits() / 8));
                FloatCodec.Encode(dtype, part, encoded);
                FloatCodec.Decode(dtype, encoded, part);
            }
    }

    /// <summary>Encoder <c>[k·j, in/k, encKh, encKw]</c> and decoder <c>[out, k·j, decKh, decKw]</c> (linear: 2-D).</summary>
    internal static (long[] encoder, long[] decoder) FactorShapes(LayerChoice c)
    {
        var l = c.Layer;
        long kj = (long)c.Groups * c.Rank;
        if (l.Kind == LayerKind.Linear) return ([kj, l.In / c.Groups], [l.Out, kj]);
        var (ekh, ekw) = Analysis.FoldScheme.EncoderKernel(c.Scheme, l.Kh, l.Kw);
        var (dkh, dkw) = Analysis.FoldScheme.DecoderKernel(c.Scheme, l.Kh, l.Kw);
        return ([kj, l.In / c.Groups, ekh, ekw], [l.Out, kj, dkh, dkw]);
    }

    /// <summary>The input's own metadata (less any earlier <c>format</c>/<c>alds.*</c> keys) plus this run's format keys and plan.</summary>
    internal static Dictionary<string, string> Metadata(IReadOnlyDictionary<string, string>? inherited, Plan measured)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (inherited is not null)
            foreach (var (key, value) in inherited)
                if (key != FormatKey && !key.StartsWith("alds.", StringComparison.Ordinal))
                    metadata[key] = value;
        metadata[FormatKey] = FormatValue;
        metadata[VersionKey] = "1";
        metadata[PlanKey] = PlanJson.Write(measured);
        return metadata;
    }
}
