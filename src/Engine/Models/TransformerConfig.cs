using System.Text.Json;

namespace Alds.Engine.Models;

/// <summary>
/// The parts of a Hugging Face <c>config.json</c> (beside the weights) that the engine uses: the architecture, to
/// name layer roles, and whether the output projection is tied to the input embedding (then it is never factorised).
/// </summary>
/// <param name="ModelType"><c>model_type</c> (bert, roberta, llama, mistral, …), or null.</param>
/// <param name="Architecture">The first of <c>architectures</c>, or null.</param>
/// <param name="Layers"><c>num_hidden_layers</c>, or null.</param>
/// <param name="Hidden"><c>hidden_size</c>, or null.</param>
/// <param name="TieWordEmbeddings">
/// <c>tie_word_embeddings</c>; when absent, the transformers library's default for the model type: false for the
/// Llama family (LlamaConfig, MistralConfig, …), true otherwise (PretrainedConfig).
/// </param>
public sealed record TransformerConfig(string? ModelType, string? Architecture, int? Layers, int? Hidden, bool TieWordEmbeddings)
{
    /// <summary>The file read beside the weights.</summary>
    public const string FileName = "config.json";

    private static readonly string[] UntiedByDefault = ["llama", "mistral", "mixtral", "qwen2", "gemma"];

    /// <summary>
    /// The <c>config.json</c> in the folder of <paramref name="modelPath"/> (a file or a sharded checkpoint's folder),
    /// or null when there is none or it is not a Hugging Face model config (not a JSON object with a <c>model_type</c>
    /// or <c>architectures</c>): a folder may hold an unrelated config.json, and that must not block the model.
    /// </summary>
    internal static TransformerConfig? Beside(string modelPath)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        string folder = Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var config = Read(path);
            return config.ModelType is null && config.Architecture is null ? null : config;
        }
        catch (ModelFormatException)
        {
            return null;
        }
    }

    /// <exception cref="ModelFormatException">Not a JSON object, or a field of the wrong type.</exception>
    internal static TransformerConfig Read(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: not a JSON object");
            string? type = root.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            string? arch = root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
                && a[0].ValueKind == JsonValueKind.String ? a[0].GetString() : null;
            bool tie = root.TryGetProperty("tie_word_embeddings", out var tw) && tw.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? tw.GetBoolean()
                : !UntiedByDefault.Contains(type?.ToLowerInvariant());
            return new TransformerConfig(type, arch, Int(root, "num_hidden_layers"), Int(root, "hidden_size"), tie);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message.Split('\n')[0]})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read: {e.Message}");
        }
    }

    private static int? Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;

    /// <summary>One line for reports: "bert (BertModel), 6 layers, hidden 384, embeddings tied".</summary>
    public string Describe() =>
        $"{ModelType ?? "unknown model type"}{(Architecture is null ? "" : $" ({Architecture})")}" +
        $"{(Layers is int l ? $", {l} layers" : "")}{(Hidden is int h ? $", hidden {h}" : "")}, embeddings {(TieWordEmbeddings ? "tied" : "not tied")}";
}
