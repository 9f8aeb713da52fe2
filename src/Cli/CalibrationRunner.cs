using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Alds.Engine.Analysis;
using Alds.Engine.Calibration;
using Alds.Engine.Models;
using Alds.Engine.Planning;

namespace Alds.Cli;

/// <summary>What a data-aware analysis leaves for planning and factorising.</summary>
/// <param name="Analysis">The calibrated curves; null under <c>--calibration-allocation data-free</c> (the data-free sweep plans).</param>
public sealed record CalibratedAnalysis(ModelAnalysis? Analysis, MomentStore Moments, CalibratedFactorizer Factorizer, PlanCalibration Record);

/// <summary>
/// <c>--calibration</c>: the layer moments from ONNX Runtime (or the cache), then the calibrated sweep. Everything that can
/// be refused (a safetensors model, a Conv the patches cannot follow, no decodable image) is refused before the long work.
/// </summary>
public static class CalibrationRunner
{
    public static CalibratedAnalysis Run(CliContext context, IModelSource source, ParseResult parse, AnalysisOptions options,
        CalibrationOptions calibration, bool quiet)
    {
        if (source is not OnnxModelSource onnx)
            throw new Engine.ModelFormatException(
                $"{source.Path}: --calibration needs an ONNX model (a safetensors file has no graph to run the calibration images through)");
        var inputs = onnx.Bindings.Select(b => LayerInput.Of(onnx, b)).ToArray();
        var clock = Stopwatch.StartNew();
        var prepared = CalibrationInputs.Prepare(source.Path, calibration, w => context.Error.WriteLine($"alds: warning: {w}"));
        var cacheDir = parse.GetValue(options.Cache);
        var store = new MomentStore(cacheDir is null ? null : Path.Combine(cacheDir, "moments"), ActivationCapture.ModelKey(source.Path), prepared.Set.Key());
        try
        {
            MemoryRequirement.Check(source, MemoryRequirement.Available());
            long budget = Math.Max(calibration.MemoryBudgetBytes, inputs.Max(i => 8L * i.Order * i.Order));
            var lastPass = "";
            var progress = quiet ? null : new SyncProgress(p =>
            {
                if (p.done >= p.total || p.layer == lastPass) return;
                lastPass = p.layer;
                context.Error.WriteLine($"calibration {p.layer}: {prepared.Feeds.Count} runs through ONNX Runtime ({clock.Elapsed.TotalSeconds:F1} s elapsed)");
            });
            int computed = ActivationCapture.Run(onnx, inputs, prepared, store, budget, progress, context.Cancel);
            var captureTime = clock.Elapsed;
            if (!quiet)
                context.Error.WriteLine($"calibration: {Describe(prepared)} from {prepared.Set.Source}; " +
                    $"moments of {computed} layers computed, {inputs.Length - computed} from the cache ({captureTime.TotalSeconds:F2} s)");
            bool dataFree = options.Calibration.DataFreeAllocation(parse);
            if (dataFree)
                return new CalibratedAnalysis(null, store, new CalibratedFactorizer(store, calibration.Lambda, dataFreePlan: true),
                    Record(prepared, calibration, inputs.Select(i => new LayerWhitening(i.Layer.Name, i.Order, 0, WhiteningMethod.Cholesky, calibration.Lambda)).ToArray(), "data-free"));
            var layers = source.Layers.ToDictionary(l => l.Name, l => new StageLayer(string.Join("×", l.Shape), l.Params, 1.0));
            var (analysis, whitening) = StageProgress.Run(context, "calibrated analysis", quiet, layers,
                p => CalibratedSweep.Run(source, store, calibration.Lambda, parse.GetValue(options.MaxGroups), p, context.Cancel,
                    options.Calibration.Normalisation(parse)));
            var deficient = whitening.Where(w => w.RankDeficient).ToArray();
            if (deficient.Length > 0)
                context.Error.WriteLine($"alds: note: {deficient.Length} layers saw fewer input vectors than their order (rank-deficient moments, held by λ): " +
                    string.Join(", ", deficient.Select(d => $"{d.Layer} ({d.Samples} < {d.Order})")));
            var raised = whitening.Where(w => w.Method != WhiteningMethod.Cholesky).ToArray();
            if (raised.Length > 0)
                context.Error.WriteLine("alds: note: whitening fell back on " +
                    string.Join(", ", raised.Select(r => $"{r.Layer} ({MethodName(r.Method)}, λ {r.Lambda.ToString("G3", CultureInfo.InvariantCulture)})")));
            var record = Record(prepared, calibration, whitening, "calibrated");
            if (options.Calibration.Normalisation(parse) != CalibrationNorm.Spectral) record = record with { Norm = parse.GetValue(options.Calibration.Norm) };
            return new CalibratedAnalysis(analysis, store, new CalibratedFactorizer(store, calibration.Lambda), record);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static string Describe(CalibrationInputs prepared) => prepared.Kind == Engine.Evaluation.ModelKind.Text
        ? $"{prepared.Set.Samples} texts ({prepared.Set.Tokens} tokens)"
        : $"{prepared.Feeds.Count} crops of {prepared.Set.Images.Count} images";

    private static PlanCalibration Record(CalibrationInputs prepared, CalibrationOptions calibration, IReadOnlyList<LayerWhitening> whitening, string allocation) =>
        new(prepared.Set.Source, prepared.Set.Samples, prepared.Set.Seed, calibration.Lambda, prepared.Set.Preprocessing,
            prepared.Set.Images.Select(i => (i.Name, i.Hash.ToString("x16"))).ToArray(),
            whitening.Select(w => new CalibratedLayer(w.Layer, MethodName(w.Method), w.Lambda, w.Samples, w.Order)).ToArray())
        {
            Allocation = allocation,
            Texts = prepared.Set.Texts.Select(h => h.ToString("x16")).ToArray(),
            Tokens = prepared.Kind == Engine.Evaluation.ModelKind.Text ? prepared.Set.Tokens : null,
        };

    public static string MethodName(WhiteningMethod m) => m switch
    {
        WhiteningMethod.Cholesky => "cholesky",
        WhiteningMethod.CholeskyRaisedDamping => "cholesky-raised-damping",
        WhiteningMethod.EigenSquareRoot => "eigen-square-root",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };
}
