using System.CommandLine.Parsing;

namespace Alds.Cli;

/// <summary>Validator helpers: a token that does not parse is already a parse error, so validators skip it.</summary>
public static class OptionValues
{
    public static bool TryGet<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>
    /// Refuses, before any work, an extra output file (report, CSV, PNG) that is the input model or the main
    /// output, a folder, or in a folder that does not exist. Exit code 2.
    /// </summary>
    public static void CheckExtraOutput(string? path, string option, params string?[] others)
    {
        if (path is null) return;
        foreach (var other in others)
        {
            if (other is null) continue;
            try { Engine.IO.SafetensorsWriter.EnsureNotSameFile(other, path); }
            catch (Engine.IO.OutputIsInputException) { throw new UsageException($"{option} {path}: would overwrite '{other}'; choose another path"); }
        }
        if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"{option} {path}: directory {dir} does not exist");
    }
}
