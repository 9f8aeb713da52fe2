using Spectre.Console;

namespace Alds.Cli;

/// <summary>Where a command writes: machine output (JSON, tables) to <see cref="Out"/>, diagnostics to <see cref="Error"/>.</summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive) Console.Profile.Width = 160;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }

    /// <summary>True when stdout is a terminal: progress bars and colours; plain lines otherwise.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    /// <summary>Signalled by Ctrl-C or SIGTERM (see <see cref="Interruption"/>).</summary>
    public CancellationToken Cancel { get; set; }

    public static CliContext FromProcess() =>
        new(System.Console.Out, System.Console.Error, !System.Console.IsOutputRedirected);
}
