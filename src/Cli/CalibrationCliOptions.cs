using System.CommandLine;
using System.Globalization;
using Alds.Engine.Calibration;

namespace Alds.Cli;

/// <summary>
/// <c>--calibration [DIR]</c>, <c>--calibration-texts FILE</c>, <c>--vocab FILE</c>, <c>--calibration-samples N</c>,
/// <c>--calibration-lambda λ</c>: data-aware spectra (DESIGN §6, docs/calibration.md).
/// </summary>
public sealed class CalibrationCliOptions
{
    public Option<string?> Calibration { get; } = new("--calibration")
    {
        Description = "Data-aware ALDS: whiten every layer by its input statistics on these images (a folder; without a value, "
            + "the skimage photographs, or for a text model Debian fortunes). ONNX models, scheme 0",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> Texts { get; } = new("--calibration-texts")
    {
        Description = "Data-aware ALDS for a text model: calibrate on these texts (a file, one text a line; implies --calibration)",
    };

    public Option<string?> Vocab { get; } = new("--vocab")
    {
        Description = "Text-model calibration: the WordPiece vocabulary (default: vocab.txt beside the model)",
    };

    public Option<int> Samples { get; } = new("--calibration-samples")
    {
        Description = "Calibration crops (image models, round robin over the images) or texts (text models, seeded) run through the model",
        DefaultValueFactory = _ => 64,
    };

    public Option<double> Lambda { get; } = new("--calibration-lambda")
    {
        Description = "Damping λ of C_ii + λ·mean(diag C_ii)·I (raised tenfold where Cholesky fails)",
        DefaultValueFactory = _ => 1e-3,
    };

    public Option<string> Allocation { get; } = new("--calibration-allocation")
    {
        Description = "Which curves choose (k, j): calibrated (default) or data-free (then only the factors are whitened)",
        DefaultValueFactory = _ => "calibrated",
    };

    public Option<string> Norm { get; } = new("--calibration-norm")
    {
        Description = "What the calibrated error is relative to: spectral (σ_1(F L), default, as specified), frobenius (‖F L‖_F) "
            + "or centred (σ_1 of F times the damped covariance's root: without the response to the mean input)",
        DefaultValueFactory = _ => "spectral",
    };

    public CalibrationCliOptions()
    {
        Norm.AcceptOnlyFromAmong("spectral", "frobenius", "centred");
        Allocation.AcceptOnlyFromAmong("calibrated", "data-free");
        Samples.Validators.Add(r =>
        {
            if (OptionValues.TryGet<int>(r, out var n) && n < 1) r.AddError("--calibration-samples must be at least 1");
        });
        Lambda.Validators.Add(r =>
        {
            if (OptionValues.TryGet<double>(r, out var l) && !(l >= 0 && double.IsFinite(l)))
                r.AddError($"--calibration-lambda {l.ToString(CultureInfo.InvariantCulture)}: must be finite and at least 0");
        });
    }

    public void AddTo(Command command, AnalysisOptions analysis)
    {
        command.Options.Add(Calibration);
        command.Options.Add(Texts);
        command.Options.Add(Vocab);
        command.Options.Add(Samples);
        command.Options.Add(Lambda);
        command.Options.Add(Allocation);
        command.Options.Add(Norm);
        command.Validators.Add(r =>
        {
            if (r.GetResult(Vocab) is not null && !Requested(r)) r.AddError("--vocab is for text-model calibration (--calibration or --calibration-texts)");
            if (!Requested(r)) return;
            if (r.GetValue(Calibration) is not null && r.GetResult(Texts) is not null)
                r.AddError("--calibration DIR (images) and --calibration-texts FILE (texts) exclude each other");
            if (r.GetValue(analysis.Schemes) == "all")
                r.AddError("--calibration supports --schemes 0 only (whitening of the split and kernel-decode folds is not implemented)");
            if (command.Name == "analyze" && r.GetValue(analysis.Shard) is not null) r.AddError("--calibration cannot be combined with --shard");
            if (r.GetValue(analysis.CacheOnly)) r.AddError("--calibration cannot be combined with --cache-only");
        });
    }

    private bool Requested(System.CommandLine.Parsing.CommandResult r) => r.GetResult(Calibration) is not null || r.GetResult(Texts) is not null;

    /// <summary>The calibration asked for, or null for data-free ALDS.</summary>
    public CalibrationOptions? Read(ParseResult parse) =>
        parse.GetResult(Calibration) is null && parse.GetResult(Texts) is null ? null
            : new CalibrationOptions(parse.GetValue(Calibration), parse.GetValue(Samples), parse.GetValue(Lambda),
                TextsFile: parse.GetValue(Texts), Vocab: parse.GetValue(Vocab));

    /// <summary>The normalisation of the calibrated errors (<c>--calibration-norm</c>).</summary>
    public CalibrationNorm Normalisation(ParseResult parse) => parse.GetValue(Norm) switch
    {
        "frobenius" => CalibrationNorm.Frobenius,
        "centred" => CalibrationNorm.Centred,
        _ => CalibrationNorm.Spectral,
    };

    /// <summary>True when <c>--calibration-allocation data-free</c>: data-free curves plan, whitened factors.</summary>
    public bool DataFreeAllocation(ParseResult parse) => parse.GetValue(Allocation) == "data-free";
}
