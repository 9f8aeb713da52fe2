using System.Runtime.CompilerServices;

namespace Alds.Engine.Tests.Architecture;

/// <summary>
/// Dependencies follow the data flow (Interop → Engine → Cli; inside the engine model → layers → spectra → plan →
/// factors → writer): no namespace cycle beyond the ones listed below, no layer reaching upward, and the CLI on the
/// engine's public surface only.
/// </summary>
public class DependencyRulesTests
{
    /// <summary>
    /// Cycles known today and not yet broken. Each entry is one strongly connected group of namespaces; the test fails
    /// on any other cycle, on a listed group that grows, and on a listed group that no longer exists (remove it here).
    /// </summary>
    private static readonly string[][] KnownCycles =
    [
        // Cli ↔ Cli.Commands: the root (AldsApp) registers the commands, and the commands use the shared option
        // groups and helpers of the root namespace (AnalysisOptions, PlanningOptions, ModelSession, ...). To break:
        // move those into a namespace of their own (not done here: issues 14 and 15 add options to those files).
        ["Alds.Cli", "Alds.Cli.Commands"],
    ];

    /// <summary>
    /// The bottom of the engine: these use nothing of ours but what is listed (each other, lower first, and the root
    /// namespace's <c>ModelFormatException</c>). <c>Runtime</c> (the registry of temporary files that an interruption
    /// removes) is a foundation too: the safetensors writer registers its temporary file there.
    /// </summary>
    private static readonly (string Namespace, string[] MayUse)[] Foundations =
    [
        ("Alds.Engine.Tensors", ["Alds.Engine"]),
        ("Alds.Engine.Runtime", ["Alds.Engine"]),
        ("Alds.Engine.IO", ["Alds.Engine", "Alds.Engine.Tensors", "Alds.Engine.Runtime"]),
        ("Alds.Engine.Linalg", ["Alds.Engine"]),
    ];

    [Test]
    public void Namespaces_NoCycleBeyondTheKnownOnes()
    {
        var graph = NamespaceGraph.Ours;
        var known = KnownCycles.Select(c => new SortedSet<string>(c, StringComparer.Ordinal)).ToList();
        var problems = new List<string>();
        var cycles = graph.Cycles();
        foreach (var cycle in cycles)
            if (!known.Any(k => k.SetEquals(cycle)))
                problems.Add($"new cycle: {string.Join(" ↔ ", cycle)} ({Explain(graph, cycle)})");
        foreach (var k in known)
            if (!cycles.Any(c => c.SetEquals(k)))
                problems.Add($"listed cycle {string.Join(" ↔ ", k)} is gone: remove it from {nameof(KnownCycles)}");
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void Interop_UsesNothingOfOurs()
    {
        var graph = NamespaceGraph.Ours;
        var interop = graph.Namespaces.Where(n => n == "Alds.Interop" || n.StartsWith("Alds.Interop.", StringComparison.Ordinal)).ToList();
        Assert.That(interop, Is.Not.Empty, "the graph has Interop's namespaces");
        var upward = interop.SelectMany(n => graph.Uses(n).Where(t => !t.StartsWith("Alds.Interop", StringComparison.Ordinal))
            .Select(t => $"{n} → {t} ({graph.Examples(n, t)})")).ToList();
        Assert.That(upward, Is.Empty);
    }

    [TestCaseSource(nameof(FoundationCases))]
    public void Foundation_UsesNothingAboveIt(string ns, string[] mayUse)
    {
        var graph = NamespaceGraph.Ours;
        Assert.That(graph.Namespaces, Does.Contain(ns));
        var upward = graph.Uses(ns).Where(t => !mayUse.Contains(t)).Select(t => $"{ns} → {t} ({graph.Examples(ns, t)})").ToList();
        Assert.That(upward, Is.Empty);
    }

    private static IEnumerable<TestCaseData> FoundationCases() =>
        Foundations.Select(f => new TestCaseData(f.Namespace, f.MayUse).SetArgDisplayNames(f.Namespace));

    [Test]
    public void Engine_NoMeasurementCode()
    {
        // Benchmark peers (python, LAPACKE) live in bench/Alds.Peers, outside the library.
        Assert.That(NamespaceGraph.Ours.Namespaces.Where(n => n.StartsWith("Alds.Engine.Benchmarks", StringComparison.Ordinal)), Is.Empty);
        Assert.That(typeof(global::Alds.Engine.Models.ModelSources).Assembly.GetReferencedAssemblies().Select(a => a.Name), Does.Not.Contain("Alds.Peers"));
    }

    [Test]
    public void Engine_InternalsOpenToTestsAndBenchmarksOnly_NeverToTheCli()
    {
        // The CLI is a front end like any other: it compiles against the engine's public API only.
        var friends = typeof(global::Alds.Engine.Models.ModelSources).Assembly.GetCustomAttributes(typeof(InternalsVisibleToAttribute), false)
            .Cast<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).OrderBy(n => n, StringComparer.Ordinal);
        Assert.That(friends, Is.EqualTo(new[] { "Alds.Bench", "Alds.Engine.Tests", "Alds.Fuzz", "Alds.Peers" }));
    }

    private static string Explain(NamespaceGraph graph, SortedSet<string> cycle) =>
        string.Join("; ", cycle.SelectMany(a => graph.Uses(a).Where(cycle.Contains).Select(b => $"{a} → {b}: {graph.Examples(a, b, 1)}")));
}
