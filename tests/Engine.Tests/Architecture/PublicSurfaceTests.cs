using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Alds.Engine.Tests.Architecture;

/// <summary>
/// The CLI is a front end like any other: every engine type and member its assembly references is public, so it builds
/// against the package's surface (src/Engine/PublicAPI.Shipped.txt). Read from the CLI's metadata (its type and member
/// references), not from its source.
/// </summary>
public class PublicSurfaceTests
{
    private static readonly Assembly Engine = typeof(global::Alds.Engine.Models.ModelSources).Assembly;
    private static readonly Assembly Interop = typeof(global::Alds.Interop.CudaException).Assembly;
    private static readonly Assembly Cli = typeof(global::Alds.Cli.DefaultModel).Assembly;

    [Test]
    public void Cli_ReferencesOnlyPublicEngineTypesAndMembers()
    {
        var refs = References(Cli.Location, Engine.GetName().Name!);
        Assert.That(refs.Types, Is.Not.Empty, "the CLI uses the engine");
        var notPublic = new List<string>();
        foreach (var name in refs.Types)
        {
            var type = Engine.GetType(name, throwOnError: true)!;
            if (!type.IsVisible) notPublic.Add($"type {name}");
        }
        foreach (var (typeName, member) in refs.Members)
        {
            var type = Engine.GetType(typeName, throwOnError: true)!;
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var found = type.GetMember(member, all);
            Assert.That(found, Is.Not.Empty, $"{typeName}::{member} exists");
            if (!found.Any(IsPublic)) notPublic.Add($"member {typeName}::{member}");
        }
        Assert.That(notPublic, Is.Empty);
    }

    [Test]
    public void Cli_ReferencesNothingOfInterop()
    {
        // The CUDA bindings are the engine's business: no public type, and the CLI reaches the GPU through the engine.
        Assert.That(References(Cli.Location, Interop.GetName().Name!).Types, Is.Empty);
        Assert.That(Interop.GetExportedTypes().Select(t => t.FullName), Is.Empty);
    }

    private static bool IsPublic(MemberInfo m) => m switch
    {
        MethodBase b => b.IsPublic,
        FieldInfo f => f.IsPublic,
        PropertyInfo p => p.GetAccessors().Any(a => a.IsPublic),
        EventInfo e => e.AddMethod?.IsPublic == true,
        Type t => t.IsVisible,
        _ => false,
    };

    /// <summary>The types (metadata names, nested with '+') and members (by type) of <paramref name="target"/> that the assembly at <paramref name="path"/> references.</summary>
    private static (SortedSet<string> Types, SortedSet<(string Type, string Member)> Members) References(string path, string target)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        string? Name(TypeReferenceHandle h)
        {
            var tr = md.GetTypeReference(h);
            string name = md.GetString(tr.Name), ns = md.GetString(tr.Namespace);
            if (tr.ResolutionScope.Kind == HandleKind.TypeReference)
                return Name((TypeReferenceHandle)tr.ResolutionScope) is string outer ? outer + "+" + name : null;
            if (tr.ResolutionScope.Kind != HandleKind.AssemblyReference) return null;
            var assembly = md.GetAssemblyReference((AssemblyReferenceHandle)tr.ResolutionScope);
            return md.GetString(assembly.Name) == target ? (ns.Length > 0 ? ns + "." : "") + name : null;
        }
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var h in md.TypeReferences) if (Name(h) is string n) types.Add(n);
        var members = new SortedSet<(string, string)>();
        foreach (var h in md.MemberReferences)
        {
            var reference = md.GetMemberReference(h);
            string? owner = null;
            if (reference.Parent.Kind == HandleKind.TypeReference) owner = Name((TypeReferenceHandle)reference.Parent);
            else if (reference.Parent.Kind == HandleKind.TypeSpecification)
            {
                var blob = md.GetBlobReader(md.GetTypeSpecification((TypeSpecificationHandle)reference.Parent).Signature);
                if (blob.ReadSignatureTypeCode() == SignatureTypeCode.GenericTypeInstance)
                {
                    blob.ReadSignatureTypeCode();
                    if (blob.ReadTypeHandle() is { Kind: HandleKind.TypeReference } generic) owner = Name((TypeReferenceHandle)generic);
                }
            }
            if (owner != null) members.Add((owner, md.GetString(reference.Name)));
        }
        return (types, members);
    }
}
