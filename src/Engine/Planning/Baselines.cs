using Alds.Engine.Analysis;

namespace Alds.Engine.Planning;

/// <summary>
/// One-parameter baselines at k = 1 with a single scheme (0 when allowed, else the smallest allowed):
/// <c>uniform</c> takes rank <c>round(a · R)</c> (half to even, as torch's round; clamped to [1, R])
/// in every layer, R the layer's full rank, as torchprune's <c>DecomposeRankAllocator</c>;
/// <c>energy</c> takes the smallest rank keeping a fraction f of each layer's squared Frobenius norm
/// (σ_1 = Norm, σ_i = ErrorsMax[i-2]·Norm at k = 1). The parameter is bisected to the largest value
/// within budget. A rank whose size reaches the original keeps the layer whole; with <c>--align N</c>
/// the rank is rounded down to a multiple of N (at least N). Under a MACs or latency budget the totals are in that
/// cost; a latency need not grow with the parameter, and the bisection then returns a feasible parameter, not
/// necessarily the largest.
/// </summary>
internal static class Baselines
{
    public static Plan Create(ModelAnalysis analysis, Budget budget, PlannerOptions options)
    {
        var allowed = OptionTable.AllowedSchemes(analysis, options.Schemes);
        int scheme = allowed.Contains(FoldScheme.KernelEncode) ? FoldScheme.KernelEncode : allowed[0];
        int n = analysis.Layers.Count;
        var curves = new SchemeOption?[n];
        var frontiers = new LayerOptions[n];
        for (int l = 0; l < n; l++)
        {
            var la = analysis.Layers[l];
            curves[l] = la.Options.FirstOrDefault(o => o.Scheme == scheme && o.Groups == 1);
            frontiers[l] = LayerOptions.Build(la.Layer, [], options.Error, options.Align); // keep only: used for the spec
        }
        bool energy = options.Optimizer == OptimizerKind.Energy;
        var cumulative = energy ? curves.Select(Cumulative).ToArray() : null;

        PlanOption[] At(double a)
        {
            var chosen = new PlanOption[n];
            for (int l = 0; l < n; l++)
            {
                var spec = analysis.Layers[l].Layer;
                var c = curves[l];
                if (c is null || c.MaxRank == 0) { chosen[l] = LayerOptions.KeepOption(spec); continue; }
                int r = energy ? EnergyRank(cumulative![l]!, a) : Math.Clamp((int)Math.Round(a * c.MaxRank, MidpointRounding.ToEven), 1, c.MaxRank);
                if (options.Align > 1) r = Math.Max(options.Align, r - r % options.Align);
                long p = r > c.MaxRank ? long.MaxValue : FoldScheme.Params(c.Scheme, 1, r, spec.Out, spec.In, spec.Kh, spec.Kw);
                if (p >= spec.Params) { chosen[l] = LayerOptions.KeepOption(spec); continue; }
                var curve = options.Error == ErrorMeasure.Max ? c.ErrorsMax : c.ErrorsRss;
                chosen[l] = new PlanOption(c.Scheme, 1, r, p, curve[r - 1], true);
            }
            return chosen;
        }
        var cost = options.Cost ?? CostModel.Params;
        long Cost(int l, PlanOption o) => !o.Compressed ? cost.Whole(analysis.Layers[l].Layer)
            : cost.Factored(analysis.Layers[l].Layer, o.Scheme, o.Groups, o.Rank)
              ?? throw new PlanningException($"layer '{analysis.Layers[l].Layer.Name}': the {cost.Kind.Name()} model does not cover scheme {o.Scheme}, k = {o.Groups}, rank {o.Rank}");
        long Total(PlanOption[] o) { long s = cost.Fixed; for (int l = 0; l < o.Length; l++) s += Cost(l, o[l]); return s; }

        var low = At(0);
        long before = analysis.Layers.Sum(l => cost.Whole(l.Layer));
        Planner.ThrowIfUnreachable(budget, Total(low) - cost.Fixed, before, options.Optimizer, cost.Fixed);
        double lo = 0, hi = 1;
        var best = low;
        var top = At(hi);
        if (Total(top) <= budget.Params) best = top;
        else
        {
            // invariant: At(lo) fits, At(hi) does not; sizes are non-decreasing in the parameter
            for (int it = 0; it < 200; it++)
            {
                double mid = lo + (hi - lo) / 2;
                if (mid <= lo || mid >= hi) break;
                var m = At(mid);
                if (Total(m) <= budget.Params) { lo = mid; best = m; } else hi = mid;
            }
        }
        var plan = Planner.Assemble(options.Optimizer, [scheme], options.Error, budget, frontiers, best);
        return Planner.WithCost(plan, cost, budget, [.. best.Select((o, l) => Cost(l, o))], null);
    }

    /// <summary>Cumulative kept energy fractions: entry r-1 is the fraction kept at rank r.</summary>
    private static double[]? Cumulative(SchemeOption? c)
    {
        if (c is null || c.MaxRank == 0) return null;
        var e = c.ErrorsMax;
        var cum = new double[c.MaxRank];
        double s = 1; // σ_1 / σ_1
        cum[0] = s;
        for (int i = 1; i < cum.Length; i++) { s += e[i - 1] * e[i - 1]; cum[i] = s; }
        double total = cum[^1];
        for (int i = 0; i < cum.Length; i++) cum[i] /= total;
        return cum;
    }

    private static int EnergyRank(double[] cum, double f)
    {
        for (int r = 1; r <= cum.Length; r++) if (cum[r - 1] >= f) return r;
        return cum.Length;
    }
}
