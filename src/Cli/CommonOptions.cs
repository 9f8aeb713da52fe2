using System.CommandLine;

namespace Alds.Cli;

/// <summary>Arguments and options shared by several commands (DESIGN §4).</summary>
public static class CommonOptions
{
    public static Argument<string?> Model()
    {
        var model = new Argument<string?>("MODEL")
        {
            Description = "A .safetensors or .onnx model; omitted: the embedded ImageNet-trained ResNet18",
            Arity = ArgumentArity.ZeroOrOne,
        };
        model.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string?>();
            if (value is { Length: > 1 } && value[0] == '-' && !File.Exists(value))
                r.AddError($"unrecognised option '{value}'");
        });
        return model;
    }

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of tables" };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show stack traces on failure",
        Recursive = true,
    };

    public static Option<string?> Include() => new("--include")
    {
        Description = "Only layers whose name matches this regular expression (overrides the default exclusion of 'embed')",
    };

    public static Option<string?> Exclude() => new("--exclude")
    {
        Description = "Skip layers whose name matches this regular expression (e.g. depthwise convs in a safetensors file)",
    };
}
