using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Alds.Engine.Analysis;
using Alds.Peers;
using Alds.Engine.Calibration;
using Alds.Engine.Export;
using Alds.Engine.Models;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary>
/// <c>alds bench calibration</c> (issue 14): in one process, the data-free <c>compress</c> work (sweep, exact plan,
/// factorise, ONNX written to a temporary file) and the calibration (ONNX Runtime capture, moments from scratch) plus the
/// calibrated analysis, on the same model; times and their ratio, with the machine and its load.
/// </summary>
public static class CalibrationBench
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var calibration = new Option<string?>("--calibration") { Description = "Calibration images (default: the skimage photographs)" };
        var texts = new Option<string?>("--calibration-texts") { Description = "Text models: calibration texts, one a line (default: Debian fortunes)" };
        var vocab = new Option<string?>("--vocab") { Description = "Text models: the WordPiece vocabulary (default: vocab.txt beside the model)" };
        var samples = new Option<int>("--calibration-samples") { Description = "Calibration crops or texts (default 64)", DefaultValueFactory = _ => 64 };
        var keep = new Option<double>("--keep") { Description = "Keep of the data-free compress (default 0.5)", DefaultValueFactory = _ => 0.5 };
        var command = new Command("calibration", "Calibration + calibrated analysis against the data-free compress, same model, same run");
        command.Arguments.Add(model);
        foreach (var o in new Option[] { calibration, texts, vocab, samples, keep }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            using var source = new OnnxModelSource(path);
            var load0 = MachineInfo.Current().Load1;
            var clock = Stopwatch.StartNew();
            string output = Path.Combine(Path.GetTempPath(), $"alds-bench-{Guid.NewGuid():N}.onnx");
            try
            {
                using (var backend = new CpuSpectralBackend())
                {
                    var analysis = SpectrumSweep.Run(source, backend, SweepOptions.SchemeZero);
                    var plan = Planner.Create(analysis, Budget.FromKeep(parse.GetValue(keep), Planner.ParamsBefore(analysis)));
                    CompressedModelWriter.Write(source, plan, output, OutputFormat.Onnx, cancel: context.Cancel);
                }
            }
            finally { File.Delete(output); }
            double free = clock.Elapsed.TotalSeconds;

            clock.Restart();
            var options = new CalibrationOptions(parse.GetValue(calibration), parse.GetValue(samples), TextsFile: parse.GetValue(texts), Vocab: parse.GetValue(vocab));
            var inputs = CalibrationInputs.Prepare(path, options, null);
            var layers = source.Bindings.Select(b => LayerInput.Of(source, b)).ToArray();
            using var store = new MomentStore(null, ActivationCapture.ModelKey(path), inputs.Set.Key());
            ActivationCapture.Run(source, layers, inputs, store, Math.Max(options.MemoryBudgetBytes, layers.Max(l => 8L * l.Order * l.Order)), cancel: context.Cancel);
            double capture = clock.Elapsed.TotalSeconds;
            CalibratedSweep.Run(source, store, options.Lambda, int.MaxValue, cancel: context.Cancel);
            double aware = clock.Elapsed.TotalSeconds;
            var machine = MachineInfo.Current();
            context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"data-free compress (sweep, exact plan at keep {parse.GetValue(keep)}, factorise, write): {free:F2} s; " +
                $"calibration with {options.Samples} {(inputs.Kind == Engine.Evaluation.ModelKind.Text ? $"texts ({inputs.Set.Tokens} tokens)" : "crops")}: {capture:F2} s, + calibrated analysis: {aware:F2} s; " +
                $"ratio (calibration + analysis) / data-free compress = {aware / free:F2}")));
            context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{machine.Cpu}, {machine.LogicalCores} cores, load average {load0:F2} before, {machine.Load1:F2} after")));
            return AldsApp.Success;
        });
        return command;
    }
}
