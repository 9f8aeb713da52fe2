using System.CommandLine;
using System.Globalization;
using Alds.Engine;
using Alds.Engine.Costs;
using Alds.Engine.Models;
using Alds.Engine.Planning;

namespace Alds.Cli;

/// <summary>
/// <c>--budget params|macs|latency</c>, the absolute budgets <c>--macs N</c> and <c>--latency-ms T</c>, and
/// <c>--input-shape</c>: what the budget limits (DESIGN §7). <c>--keep R</c> is then the ratio of that cost.
/// </summary>
public sealed class CostOptions
{
    public Option<string?> Budget { get; } = new("--budget")
    {
        Description = "What the budget limits: params (default), macs (multiply-adds at the model's real spatial sizes, ONNX only) "
            + "or latency (ONNX Runtime latency measured per layer on this machine, cached in --cache)",
    };

    public Option<long?> Macs { get; } = new("--macs") { Description = "Absolute budget of multiply-adds of the compressible layers (implies --budget macs)" };

    public Option<double?> LatencyMs { get; } = new("--latency-ms")
    {
        Description = "Absolute budget of the whole model's predicted latency in milliseconds (implies --budget latency)",
    };

    public Option<string[]> InputShape { get; } = new("--input-shape")
    {
        Description = "Shape to run the graph at when it leaves an input open, [NAME=]D1xD2x… (repeat per input)",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<int?> Batch { get; } = new("--batch")
    {
        Description = "--budget latency: the batch the latency table is measured at (1 by default; as alds eval --batch, cached per batch)",
    };

    public CostOptions()
    {
        Batch.Validators.Add(r =>
        {
            if (OptionValues.TryGet<int?>(r, out var v) && v is int b && b is < 1 or > Engine.Evaluation.BatchedModel.MaxBatch)
                r.AddError($"--batch must be from 1 to {Engine.Evaluation.BatchedModel.MaxBatch}, got {b}");
        });
        Budget.AcceptOnlyFromAmong("params", "macs", "latency");
        Macs.Validators.Add(r =>
        {
            if (OptionValues.TryGet<long?>(r, out var v) && v is long n && n < 1) r.AddError("--macs must be at least 1");
        });
        LatencyMs.Validators.Add(r =>
        {
            if (OptionValues.TryGet<double?>(r, out var v) && v is double t && !(t > 0 && double.IsFinite(t))) r.AddError("--latency-ms must be a positive number");
        });
    }

    /// <summary>Adds the options; the absolutes join <paramref name="planning"/>'s one-budget rule.</summary>
    public void AddTo(Command command, PlanningOptions? planning)
    {
        foreach (var o in new Option[] { Budget, InputShape, Batch }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if (r.GetResult(Batch) is null) return;
            var kind = r.GetResult(Budget) is not null && CostKinds.TryParse(r.GetValue(Budget), out var k) ? k
                : r.GetResult(LatencyMs) is not null ? CostKind.Latency : CostKind.Params;
            if (kind != CostKind.Latency) r.AddError($"--batch is the batch of the latency table: give it with --budget latency (here --budget {kind.Name()})");
        });
        if (planning is null) return;
        foreach (var o in new Option[] { Macs, LatencyMs }) command.Options.Add(o);
        planning.OtherBudgets.AddRange([Macs, LatencyMs]);
        command.Validators.Add(r =>
        {
            if (r.GetResult(Budget) is null || !CostKinds.TryParse(r.GetValue(Budget), out var kind)) return;
            if (kind != CostKind.Params && r.GetResult(planning.Params) is not null)
                r.AddError($"--params N is a params budget; with --budget {kind.Name()} give --keep R{(kind == CostKind.Params ? "" : kind == CostKind.Macs ? " or --macs N" : " or --latency-ms T")}");
            if (kind != CostKind.Macs && r.GetResult(Macs) is not null) r.AddError($"--macs N is a MACs budget, not --budget {kind.Name()}");
            if (kind != CostKind.Latency && r.GetResult(LatencyMs) is not null) r.AddError($"--latency-ms T is a latency budget, not --budget {kind.Name()}");
        });
    }

    /// <summary>The cost kind: <c>--budget</c>, else implied by <c>--macs</c> or <c>--latency-ms</c>, else params.</summary>
    public CostKind ReadKind(ParseResult parse)
    {
        if (CostKinds.TryParse(parse.GetValue(Budget), out var kind)) return kind;
        if (parse.GetResult(Macs) is not null) return CostKind.Macs;
        if (parse.GetResult(LatencyMs) is not null) return CostKind.Latency;
        return CostKind.Params;
    }

    /// <summary>
    /// The budget in the chosen cost: <c>--keep R</c> is the ratio of the compressible layers' cost
    /// (<paramref name="before"/>), plus the fixed part (latency: the rest of the graph) unchanged; the absolutes are
    /// whole totals.
    /// </summary>
    public Engine.Planning.Budget ReadBudget(ParseResult parse, PlanningOptions planning, CostKind kind, long before, long fixedPart)
    {
        if (parse.GetValue(planning.Keep) is double keep) return Engine.Planning.Budget.FromKeep(keep, before, kind, fixedPart);
        if (parse.GetValue(Macs) is long macs) return Engine.Planning.Budget.FromCost(macs, CostKind.Macs);
        if (parse.GetValue(LatencyMs) is double ms)
            return Engine.Planning.Budget.FromCost(checked((long)Math.Floor(ms * 1e6)), CostKind.Latency);
        return Engine.Planning.Budget.FromParams(parse.GetValue(planning.Params)!.Value);
    }

    /// <summary>The parsed <c>--input-shape</c> values at <c>--batch</c> (exit 2 on a malformed one).</summary>
    public InputShapes ReadInputShapes(ParseResult parse)
    {
        try { return InputShapes.Parse(parse.GetValue(InputShape) ?? []).WithBatch(parse.GetValue(Batch) ?? 1); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }

    /// <summary>
    /// The layers' shapes in the graph, for a MACs or latency budget: refused with one line, before any analysis,
    /// when the model is not an ONNX graph (a safetensors file has no spatial sizes).
    /// </summary>
    public IReadOnlyList<LayerGeometry> ReadGeometry(ParseResult parse, ModelSession session, CostKind kind)
    {
        var shapes = ReadInputShapes(parse);
        if (session.Source is not OnnxModelSource onnx)
            throw new ModelFormatException(
                $"{session.Path}: --budget {kind.Name()} needs the model's graph (spatial sizes, from an ONNX file run at its input shape); a {Kind(session.Path)} file has none: export the model to ONNX");
        return LayerShapes.Capture(onnx, shapes);
    }

    private static string Kind(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || Directory.Exists(path) ? "sharded safetensors" : "safetensors";

    /// <summary>Milliseconds for messages.</summary>
    public static string Ms(long nanoseconds) => (nanoseconds / 1e6).ToString("0.000", CultureInfo.InvariantCulture);
}
