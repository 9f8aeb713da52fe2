using System.CommandLine;
using Alds.Engine.Layers;
using Alds.Engine.Models;
using Spectre.Console;

namespace Alds.Cli.Commands;

/// <summary><c>alds inspect [MODEL] [--json]</c>: tensors, dtypes, shapes, and which are compressible layers.</summary>
public static class InspectCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var json = CommonOptions.Json();
        var filter = new LayerFilterOptions();
        var command = new Command("inspect", "List the tensors of a model and the compressible layers found in it");
        command.Arguments.Add(model);
        command.Options.Add(json);
        filter.AddTo(command);
        command.SetAction(parse =>
        {
            var path = DefaultModel.Resolve(parse.GetValue(model));
            using var source = ModelSources.Open(path, filter.Read(parse));
            if (parse.GetValue(json)) WriteJson(context, source);
            else WriteTable(context, source);
            return AldsApp.Success;
        });
        return command;
    }

    private static void WriteJson(CliContext context, IModelSource source) => JsonOutput.Write(context.Out, w =>
    {
        w.WriteStartObject();
        w.WriteString("model", source.Path);
        w.WriteStartArray("tensors");
        foreach (var t in source.Tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("dtype", t.DType.ToString());
            w.WriteStartArray("shape");
            foreach (var d in t.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("layers");
        foreach (var layer in source.Layers)
        {
            w.WriteStartObject();
            w.WriteString("name", layer.Name);
            w.WriteString("kind", layer.Kind == LayerKind.Conv ? "conv" : "linear");
            if (TransformerRoles.RoleOf(layer.Name) is string role) w.WriteString("role", role);
            w.WriteStartArray("shape");
            foreach (var d in layer.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("params", layer.Params);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("compressible_params", source.Layers.Sum(l => l.Params));
        if (ConfigOf(source) is { } config)
        {
            w.WriteStartObject("config");
            if (config.ModelType is not null) w.WriteString("model_type", config.ModelType);
            if (config.Architecture is not null) w.WriteString("architecture", config.Architecture);
            w.WriteBoolean("tie_word_embeddings", config.TieWordEmbeddings);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    private static void WriteTable(CliContext context, IModelSource source)
    {
        var byWeight = source.Layers.ToDictionary(l => l.WeightTensor, StringComparer.Ordinal);
        var reasons = source.Skipped.ToDictionary(s => s.Name, s => s.Reason, StringComparer.Ordinal);
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(source.Path)}[/]");
        table.AddColumn("tensor").AddColumn("dtype").AddColumn("shape").AddColumn("role");
        foreach (var t in source.Tensors)
        {
            var role = byWeight.TryGetValue(t.Name, out var layer)
                ? $"[green]{(layer.Kind == LayerKind.Conv ? "conv" : "linear")} layer {Markup.Escape(layer.Name)}" +
                  (TransformerRoles.RoleOf(layer.Name) is string r ? $" ({Markup.Escape(r)})" : "") + "[/]"
                : $"[grey]{Markup.Escape(reasons.GetValueOrDefault(t.Name, "not a layer weight"))}[/]";
            table.AddRow(Markup.Escape(t.Name), t.DType.ToString(), Markup.Escape(t.ShapeText), role);
        }
        context.Console.Write(table);
        if (ConfigOf(source) is { } config)
            context.Console.MarkupLine($"config.json: {Markup.Escape(config.Describe())}");
        var convs = source.Layers.Count(l => l.Kind == LayerKind.Conv);
        var linears = source.Layers.Count - convs;
        var total = source.Tensors.Sum(t => t.ElementCount);
        var compressible = source.Layers.Sum(l => l.Params);
        context.Console.MarkupLine(
            $"{source.Tensors.Count} tensors, {total:N0} elements; compressible: {convs} conv + {linears} linear layers, " +
            $"[bold]{compressible:N0}[/] weight parameters ({(total == 0 ? 0 : 100.0 * compressible / total):F1}%)");
    }

    private static TransformerConfig? ConfigOf(IModelSource source) => source switch
    {
        SafetensorsModelSource s => s.Config,
        ShardedSafetensorsModelSource s => s.Config,
        _ => null,
    };
}
