using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alds.Peers;
using Alds.Engine.Planning;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary>
/// <c>alds bench svd|sweep|plan</c> (DESIGN §4): measured times with the peer (LAPACK, numpy) in the same run,
/// reported as ratios, with the machine and its load average named.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("bench", "Measure our singular values, sweep and planner against LAPACK / numpy peers in the same run");
        command.Subcommands.Add(Svd(context));
        command.Subcommands.Add(Sweep(context));
        command.Subcommands.Add(PlanTime(context));
        command.Subcommands.Add(Factor(context));
        command.Subcommands.Add(CalibrationBench.Create(context));
        return command;
    }

    private static Command Factor(CliContext context)
    {
        var rows = new Option<int>("--rows") { Description = "Rows m of the matrix (default 4096)", DefaultValueFactory = _ => 4096 };
        var cols = new Option<int>("--cols") { Description = "Columns n (default 25088: VGG's first classifier layer)", DefaultValueFactory = _ => 25088 };
        var rank = new Option<int>("--rank") { Description = "Rank j (default min(m, n) / 2)" };
        var repeat = Repeat(1);
        var json = CommonOptions.Json();
        var noPeer = new Option<bool>("--no-peer") { Description = "Skip the numpy peer" };
        var command = new Command("factor", "One group's rank-j factorisation (seeded float32 matrix): ours vs numpy's Gram + eigh + GEMM");
        foreach (var o in new Option[] { rows, cols, rank, repeat, json, noPeer }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int m = parse.GetValue(rows), n = parse.GetValue(cols);
            if (m < 1 || n < 1) throw new Engine.ModelFormatException($"bench factor: shape {m}×{n} must be positive");
            int j = parse.GetResult(rank) is null ? Math.Min(m, n) / 2 : parse.GetValue(rank);
            if (j < 1 || j > Math.Min(m, n)) throw new Engine.ModelFormatException($"bench factor: rank {j} outside 1..{Math.Min(m, n)}");
            var r = FactorBenchmark.Run(m, n, j, parse.GetValue(repeat), !parse.GetValue(noPeer), context.Cancel);
            var machine = MachineInfo.Current();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, w =>
                {
                    Header(w, "factor", machine, r.Repeat);
                    w.WriteNumber("m", r.M); w.WriteNumber("n", r.N); w.WriteNumber("rank", r.Rank);
                    w.WriteNumber("ours_s", r.OursSeconds);
                    Nullable(w, "numpy_s", r.NumpySeconds);
                    Nullable(w, "speedup_vs_numpy", r.Speedup);
                    w.WriteNumber("ours_next_over_first", r.OursNextOverFirst);
                    Nullable(w, "numpy_next_over_first", r.NumpyNextOverFirst);
                    w.WriteString("peer", r.PeerNote);
                    w.WriteEndObject();
                });
                return AldsApp.Success;
            }
            context.Console.MarkupLine(Markup.Escape(
                $"{r.M}×{r.N}, rank {r.Rank}: ours {r.OursSeconds:F2} s, numpy {(r.NumpySeconds is double s ? s.ToString("F2", CultureInfo.InvariantCulture) + " s" : "-")}, " +
                $"numpy / ours {(r.Speedup is double x ? x.ToString("F2", CultureInfo.InvariantCulture) + "×" : "-")}; σ_(j+1)/σ_1 ours {r.OursNextOverFirst:E6}, numpy {r.NumpyNextOverFirst:E6}"));
            context.Console.MarkupLine(Markup.Escape($"{r.PeerNote}; {machine.Cpu}, {machine.LogicalCores} cores, load {machine.Load1:F2}"));
            return AldsApp.Success;
        });
        return command;
    }

    private static Option<int> Repeat(int fallback)
    {
        var repeat = new Option<int>("--repeat") { Description = $"Timed repetitions, the median is reported (default {fallback})", DefaultValueFactory = _ => fallback };
        repeat.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out int n) && n < 1) r.AddError("--repeat must be at least 1");
        });
        return repeat;
    }

    private static Command Svd(CliContext context)
    {
        var repeat = Repeat(5);
        var json = CommonOptions.Json();
        var noNumpy = new Option<bool>("--no-numpy") { Description = "Skip the optional numpy peer" };
        var command = new Command("svd", "All singular values of random matrices: ours vs LAPACK dgesdd (and numpy), one thread each");
        command.Options.Add(repeat);
        command.Options.Add(json);
        command.Options.Add(noNumpy);
        command.SetAction(parse =>
        {
            var machine = MachineInfo.Current();
            var result = SvdBenchmark.Run(SvdBenchmark.DefaultShapes, parse.GetValue(repeat), !parse.GetValue(noNumpy), context.Cancel);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, w =>
                {
                    Header(w, "svd", machine, result.Repeat);
                    w.WriteString("numpy", result.NumpyNote);
                    w.WriteStartArray("rows");
                    foreach (var r in result.Rows)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("m", r.M);
                        w.WriteNumber("n", r.N);
                        w.WriteNumber("ours_ms", r.OursMs);
                        w.WriteNumber("lapack_dgesdd_ms", r.LapackMs);
                        Nullable(w, "numpy_ms", r.NumpyMs);
                        w.WriteNumber("speedup_vs_lapack", r.SpeedupVsLapack);
                        Nullable(w, "speedup_vs_numpy", r.SpeedupVsNumpy);
                        w.WriteNumber("max_rel_diff_vs_lapack", r.MaxRelDiff);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return AldsApp.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumn("shape");
            foreach (var c in new[] { "ours ms", "LAPACK dgesdd ms", "numpy ms", "LAPACK / ours", "numpy / ours", "max |Δσ| / σ₁" })
                table.AddColumn(new TableColumn(c).RightAligned());
            foreach (var r in result.Rows)
                table.AddRow($"{r.M}×{r.N}", F(r.OursMs, "F2"), F(r.LapackMs, "F2"), F(r.NumpyMs, "F2"),
                    $"[bold]{F(r.SpeedupVsLapack, "F2")}×[/]", r.SpeedupVsNumpy is double s ? $"{F(s, "F2")}×" : "-", F(r.MaxRelDiff, "E1"));
            context.Console.Write(table);
            context.Console.MarkupLine(Markup.Escape($"singular values only, float64, one thread each side, median of {result.Repeat} after warm-up runs (ours and LAPACK alternate; numpy runs after, in its own process); {result.NumpyNote}"));
            context.Console.MarkupLine(Markup.Escape($"machine: {machine}"));
            return AldsApp.Success;
        });
        return command;
    }

    private static Command Sweep(CliContext context)
    {
        var model = CommonOptions.Model();
        var repeat = Repeat(1);
        var json = CommonOptions.Json();
        var filter = new LayerFilterOptions();
        var noPeer = new Option<bool>("--no-peer") { Description = "Skip the numpy peer (and the correctness check)" };
        var peerRoute = new Option<string>("--peer")
        {
            Description = "numpy route(s): svd (np.linalg.svd on the stacked groups), gram (smaller Gram + eigvalsh, numpy's fastest) or both",
            DefaultValueFactory = _ => "svd",
        };
        peerRoute.AcceptOnlyFromAmong("svd", "gram", "both");
        var maxGroups = new AnalysisOptions().MaxGroups;
        var command = new Command("sweep", "The whole-model sweep (scheme 0, every k): ours vs numpy computing the same error curves");
        command.Arguments.Add(model);
        command.Options.Add(repeat);
        command.Options.Add(json);
        command.Options.Add(noPeer);
        command.Options.Add(peerRoute);
        command.Options.Add(maxGroups);
        filter.AddTo(command);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            using var source = Engine.Models.ModelSources.Open(path, filter.Read(parse));
            using var backend = new Engine.Analysis.CpuSpectralBackend();
            var before = MachineInfo.Current();
            NumpyRoute[] routes = parse.GetValue(noPeer) ? [] : parse.GetValue(peerRoute) switch
            {
                "gram" => [NumpyRoute.Gram],
                "both" => [NumpyRoute.Svd, NumpyRoute.Gram],
                _ => [NumpyRoute.Svd],
            };
            var r = SweepBenchmark.Run(source, backend, parse.GetValue(repeat), routes, parse.GetValue(maxGroups), context.Cancel);
            var machine = MachineInfo.Current();
            var svd = r.Peer(NumpyRoute.Svd);
            var gram = r.Peer(NumpyRoute.Gram);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, w =>
                {
                    Header(w, "sweep", machine, parse.GetValue(repeat));
                    w.WriteString("model", Path.GetFileName(path));
                    w.WriteNumber("layers", r.Layers);
                    w.WriteNumber("options", r.Options);
                    w.WriteNumber("params", r.Params);
                    w.WriteNumber("ours_s", r.OursSeconds);
                    Nullable(w, "numpy_s", svd?.Seconds);
                    Nullable(w, "speedup_vs_numpy", svd?.Speedup);
                    Nullable(w, "max_abs_curve_diff", svd?.MaxAbsDiff);
                    Nullable(w, "numpy_gram_s", gram?.Seconds);
                    Nullable(w, "speedup_vs_numpy_gram", gram?.Speedup);
                    Nullable(w, "max_abs_curve_diff_gram", gram?.MaxAbsDiff);
                    w.WriteString("peer", r.PeerNote);
                    w.WriteNumber("load_before", before.Load1);
                    w.WriteEndObject();
                });
                return AldsApp.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumn("model").AddColumn(new TableColumn("layers").RightAligned())
                .AddColumn(new TableColumn("(layer, k) options").RightAligned()).AddColumn(new TableColumn("ours s").RightAligned())
                .AddColumn("numpy route").AddColumn(new TableColumn("numpy s").RightAligned()).AddColumn(new TableColumn("numpy / ours").RightAligned())
                .AddColumn(new TableColumn("max |Δ curve|").RightAligned());
            var rows = r.Peers.Count == 0 ? [null] : r.Peers.Select(p => (SweepPeerResult?)p).ToList();
            foreach (var p in rows)
                table.AddRow(Markup.Escape(Path.GetFileName(path)), r.Layers.ToString(CultureInfo.InvariantCulture), r.Options.ToString(CultureInfo.InvariantCulture),
                    F(r.OursSeconds, "F2"), p is null ? "-" : p.Route.ToString().ToLowerInvariant(), F(p?.Seconds, "F2"),
                    p is null ? "-" : $"[bold]{F(p.Speedup, "F2")}×[/]", F(p?.MaxAbsDiff, "E1"));
            context.Console.Write(table);
            context.Console.MarkupLine(Markup.Escape(
                $"scheme 0, every candidate k (up to --max-groups), both error curves; ours: whole SpectrumSweep.Run (cpu backend, {Environment.ProcessorCount} threads, on weights preloaded in memory as numpy's are, after one untimed warm-up run); " +
                $"numpy: svd = np.linalg.svd on stacked groups, gram = smaller Gram (float64) + eigvalsh per group, file reads excluded; median of {parse.GetValue(repeat)}; {r.PeerNote}"));
            context.Console.MarkupLine(Markup.Escape($"machine: {machine} (load {before.Load1:F2} at start)"));
            return AldsApp.Success;
        });
        return command;
    }

    private static Command PlanTime(CliContext context)
    {
        var model = CommonOptions.Model();
        var repeat = Repeat(5);
        var json = CommonOptions.Json();
        var filter = new LayerFilterOptions();
        var analysis = new AnalysisOptions();
        var keep = new Option<double>("--keep") { Description = "Budget as a keep ratio (default 0.5)", DefaultValueFactory = _ => 0.5 };
        keep.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && double.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out double v) && !(v > 0 && v <= 1))
                r.AddError($"--keep {v}: must be in (0, 1]");
        });
        var command = new Command("plan", "Planning time of the exact and paper optimizers on one analysis (median of --repeat)");
        command.Arguments.Add(model);
        foreach (var o in new Option[] { repeat, json, keep }) command.Options.Add(o);
        filter.AddTo(command);
        analysis.AddTo(command);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            using var source = Engine.Models.ModelSources.Open(path, filter.Read(parse));
            using var backend = analysis.CreateBackend(parse);
            bool asJson = parse.GetValue(json);
            var result = SweepRunner.Run(context, source, backend, analysis.Read(parse, context), quiet: asJson, out var analysisTime);
            var rows = PlanBenchmark.Run(result, parse.GetValue(keep), parse.GetValue(repeat));
            var machine = MachineInfo.Current();
            double exactMs = rows[0].MedianMs;
            if (asJson)
            {
                JsonOutput.Write(context.Out, w =>
                {
                    Header(w, "plan", machine, parse.GetValue(repeat));
                    w.WriteString("model", Path.GetFileName(path));
                    w.WriteNumber("keep", parse.GetValue(keep));
                    w.WriteNumber("analysis_s", analysisTime.TotalSeconds);
                    w.WriteStartArray("rows");
                    foreach (var r in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("optimizer", r.Optimizer);
                        w.WriteNumber("median_ms", r.MedianMs);
                        w.WriteNumber("ratio_to_exact", r.MedianMs / exactMs);
                        w.WriteNumber("max_rel_error", r.MaxRelError);
                        w.WriteNumber("params_after", r.ParamsAfter);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return AldsApp.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumn("optimizer");
            foreach (var c in new[] { "median ms", "time / exact", "max rel error", "params after" }) table.AddColumn(new TableColumn(c).RightAligned());
            foreach (var r in rows)
                table.AddRow(r.Optimizer, F(r.MedianMs, "F2"), $"{F(r.MedianMs / exactMs, "F2")}×", F(r.MaxRelError, "F6"), r.ParamsAfter.ToString("N0", CultureInfo.InvariantCulture));
            context.Console.Write(table);
            context.Console.MarkupLine(Markup.Escape($"keep {parse.GetValue(keep).ToString(CultureInfo.InvariantCulture)}, median of {parse.GetValue(repeat)} after warm-up runs; analysis {analysisTime.TotalSeconds:F2} s"));
            context.Console.MarkupLine(Markup.Escape($"machine: {machine}"));
            return AldsApp.Success;
        });
        return command;
    }

    private static void Header(Utf8JsonWriter w, string bench, MachineInfo machine, int repeat)
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteString("bench", bench);
        w.WriteStartObject("machine");
        w.WriteString("cpu", machine.Cpu);
        w.WriteNumber("logical_cores", machine.LogicalCores);
        w.WriteStartArray("load_average");
        foreach (var l in new[] { machine.Load1, machine.Load5, machine.Load15 }) if (double.IsFinite(l)) w.WriteNumberValue(l); else w.WriteNullValue();
        w.WriteEndArray();
        w.WriteString("runtime", machine.Runtime);
        w.WriteEndObject();
        w.WriteNumber("repeat", repeat);
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    private static string F(double? value, string format) => value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
