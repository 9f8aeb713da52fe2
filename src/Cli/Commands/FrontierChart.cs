using Alds.Engine.Planning;
using ScottPlot;

namespace Alds.Cli.Commands;

/// <summary>The PNG chart of <c>alds frontier</c> (ScottPlot, headless).</summary>
public static class FrontierChart
{
    public const int Width = 1100, Height = 700;

    private static readonly Dictionary<OptimizerKind, (string Hex, LinePattern Pattern, MarkerShape Marker)> Styles = new()
    {
        [OptimizerKind.Exact] = ("#d62728", LinePattern.Solid, MarkerShape.FilledCircle),
        [OptimizerKind.Paper] = ("#1f77b4", LinePattern.Dashed, MarkerShape.OpenSquare),
        [OptimizerKind.K1] = ("#2ca02c", LinePattern.Solid, MarkerShape.FilledTriangleUp),
        [OptimizerKind.Uniform] = ("#7f7f7f", LinePattern.Dotted, MarkerShape.OpenCircle),
        [OptimizerKind.Energy] = ("#9467bd", LinePattern.DenselyDashed, MarkerShape.OpenDiamond),
    };

    /// <summary>Labelled ticks at 1, 2 and 5 times each power of ten over the data (y holds log10 of the error).</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(FrontierResult frontier)
    {
        var values = frontier.Errors.SelectMany(e => e).Where(e => double.IsFinite(e) && e > 0).ToArray();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        if (values.Length == 0) return ticks;
        int low = (int)Math.Floor(Math.Log10(values.Min())), high = (int)Math.Ceiling(Math.Log10(values.Max()));
        for (int p = low; p <= high; p++)
            foreach (double f in new[] { 1.0, 2.0, 5.0 })
            {
                double v = f * Math.Pow(10, p);
                ticks.AddMajor(Math.Log10(v), v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture));
            }
        return ticks;
    }

    /// <summary>PNG bytes of the frontier: one line per optimizer, unreachable points left out.</summary>
    public static byte[] Png(FrontierResult frontier, string title, bool logY, IReadOnlyList<MeasuredPoint>? measured = null)
    {
        var plot = new Plot();
        bool byCost = frontier.Totals is not null;
        double Scale(double total) => frontier.Kind == CostKind.Latency ? total / 1e6 : total / 1e9;
        for (int o = 0; o < frontier.Optimizers.Count; o++)
        {
            var kind = frontier.Optimizers[o];
            var xs = new List<double>();
            var ys = new List<double>();
            for (int p = 0; p < frontier.Keeps.Count; p++)
            {
                double e = frontier.Errors[o][p];
                if (!double.IsFinite(e) || (logY && e <= 0)) continue;
                xs.Add(byCost ? Scale(frontier.Totals![o][p]) : frontier.Keeps[p]);
                ys.Add(logY ? Math.Log10(e) : e);
            }
            if (xs.Count == 0) continue;
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            var (hex, pattern, marker) = Styles.TryGetValue(kind, out var s) ? s : ("#000000", LinePattern.Solid, MarkerShape.FilledCircle);
            line.Color = Color.FromHex(hex);
            line.LinePattern = pattern;
            line.LineWidth = kind == OptimizerKind.Exact ? 2.5f : 1.5f;
            line.MarkerShape = marker;
            line.MarkerSize = kind == OptimizerKind.Paper ? 8 : 5;
            line.LegendText = kind.Name();
        }
        if (measured is { Count: > 0 })
        {
            var points = plot.Add.Scatter(measured.Select(m => m.MeasuredMs).ToArray(), measured.Select(m => logY ? Math.Log10(m.Error) : m.Error).ToArray());
            points.LineWidth = 0;
            points.MarkerShape = MarkerShape.FilledDiamond;
            points.MarkerSize = 10;
            points.Color = Color.FromHex("#ff7f0e");
            points.LegendText = "exact, measured";
            var original = plot.Add.Scatter(new[] { measured.Average(m => m.OriginalMs) }, new[] { logY ? Math.Log10(measured.Min(m => m.Error)) : 0.0 });
            original.LineWidth = 0;
            original.MarkerShape = MarkerShape.Asterisk;
            original.MarkerSize = 14;
            original.Color = Colors.Black;
            original.LegendText = "original, measured";
        }
        plot.Title(title, 15);
        plot.XLabel(!byCost ? "keep (fraction of compressible-layer parameters)"
            : frontier.Kind == CostKind.Latency ? "whole-model latency, ms (lines: predicted by the latency table; points: measured median)"
            : "multiply-adds of the compressible layers, billions");
        plot.YLabel(logY ? "max relative layer error (log scale)" : "max relative layer error");
        if (!byCost) plot.Axes.SetLimitsX(0, 1);
        if (logY) plot.Axes.Left.TickGenerator = LogTicks(frontier);
        else
        {
            plot.Axes.AutoScale();
            plot.Axes.SetLimitsY(0, plot.Axes.GetLimits().Top);
            if (byCost) plot.Axes.SetLimitsX(0, plot.Axes.GetLimits().Right);
        }
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.12);
        plot.Legend.FontSize = 14;
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
