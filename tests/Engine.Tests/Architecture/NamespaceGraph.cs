using ArchUnitNET.Domain;
using ArchUnitNET.Loader;

namespace Alds.Engine.Tests.Architecture;

/// <summary>
/// Which of our namespaces uses which, read from the compiled assemblies (ArchUnitNET: every type's dependencies,
/// member signatures and method bodies included, so a qualified name like <c>Caching.AnalysisCache</c> counts as
/// much as a <c>using</c>). Compiler-generated nested types belong to their declaring type's namespace.
/// </summary>
internal sealed class NamespaceGraph
{
    /// <summary>The assemblies the rules are about: Interop, the engine, the CLI and the bench peers.</summary>
    public static NamespaceGraph Ours { get; } = Load(
        typeof(global::Alds.Interop.CudaException).Assembly, typeof(global::Alds.Engine.Models.ModelSources).Assembly, typeof(global::Alds.Cli.DefaultModel).Assembly,
        typeof(global::Alds.Peers.Lapacke).Assembly);

    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> edges = new(StringComparer.Ordinal);

    private NamespaceGraph() { }

    public static NamespaceGraph Load(params System.Reflection.Assembly[] assemblies)
    {
        var architecture = new ArchLoader().LoadAssemblies(assemblies).Build();
        var graph = new NamespaceGraph();
        foreach (var type in architecture.Types)
        {
            var from = type.Namespace?.FullName ?? "";
            if (!IsOurs(from)) continue;
            graph.Node(from);
            foreach (var dependency in type.Dependencies)
            {
                var to = dependency.Target?.Namespace?.FullName ?? ""; // generic parameters have none
                if (to == from || !IsOurs(to)) continue;
                graph.Node(from)[to] = graph.Node(from).GetValueOrDefault(to) ?? new SortedSet<string>(StringComparer.Ordinal);
                graph.Node(from)[to].Add($"{type.FullName} → {dependency.Target!.FullName}");
            }
        }
        return graph;
    }

    private static bool IsOurs(string ns) => ns == "Alds" || ns.StartsWith("Alds.", StringComparison.Ordinal);

    private SortedDictionary<string, SortedSet<string>> Node(string ns)
    {
        if (!edges.TryGetValue(ns, out var targets)) edges[ns] = targets = new(StringComparer.Ordinal);
        return targets;
    }

    public IEnumerable<string> Namespaces => edges.Keys;

    /// <summary>The namespaces <paramref name="ns"/> uses directly.</summary>
    public IReadOnlyCollection<string> Uses(string ns) => edges.TryGetValue(ns, out var t) ? t.Keys : [];

    /// <summary>Up to <paramref name="max"/> type-level examples of <paramref name="from"/> using <paramref name="to"/>.</summary>
    public string Examples(string from, string to, int max = 3) =>
        string.Join("; ", edges[from][to].Take(max));

    /// <summary>The strongly connected components with more than one namespace (Tarjan): each one is a cycle.</summary>
    public IReadOnlyList<SortedSet<string>> Cycles()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<SortedSet<string>>();
        int next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Uses(v))
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new SortedSet<string>(StringComparer.Ordinal);
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component);
        }
        foreach (var v in edges.Keys.ToList()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
