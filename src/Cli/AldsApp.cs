using System.CommandLine;
using Alds.Cli.Commands;
using Alds.Engine;

namespace Alds.Cli;

/// <summary>
/// The <c>alds</c> command: exit 0 on success, 2 on bad usage, 1 on bad input, a failed write or a missing optional
/// component (one line), 70 on an internal error — a bug of ours, reported with its stack trace (EX_SOFTWARE of
/// sysexits.h) —, 128 + the signal number when SIGINT (130) or SIGTERM (143) stopped it (<see cref="Interruption"/>).
/// </summary>
public static class AldsApp
{
    public const int Success = 0, Failure = 1, BadUsage = 2, InternalError = 70;

    public static int Run(string[] args)
    {
        var process = CliContext.FromProcess();
        using var interruption = new Interruption(process.Error);
        var context = new CliContext(process.Out, interruption.WithStageEvents(process.Error), process.Interactive)
            { Cancel = interruption.Token };
        return interruption.ExitCode(Run(args, context));
    }

    public static int Run(string[] args, CliContext context)
    {
        var root = new RootCommand("alds: compress neural networks by ALDS (layer-wise SVD of channel groups, minimax allocation)");
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(AnalyzeCommand.Create(context));
        root.Subcommands.Add(PlanCommand.Create(context));
        root.Subcommands.Add(CompressCommand.Create(context));
        root.Subcommands.Add(EvalCommand.Create(context));
        root.Subcommands.Add(FrontierCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));

        ParseResult parse;
        try { parse = root.Parse(args); }
        catch (InvalidOperationException e)
        {
            context.Error.WriteLine($"alds: {e.Message.ReplaceLineEndings(" ")}");
            return BadUsage;
        }
        if (parse.Errors.Count > 0)
        {
            // One line per error: System.CommandLine lists the allowed values of an option on lines of their own.
            foreach (var error in parse.Errors)
                context.Error.WriteLine($"alds: {string.Join(' ', error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
            context.Error.WriteLine("Try 'alds --help'.");
            return BadUsage;
        }
        var verbose = parse.GetValue(CommonOptions.Verbose);
        try
        {
            var config = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = context.Out,
                Error = context.Error,
            };
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            var (code, message) = Classify(e);
            context.Error.WriteLine($"alds: {message}");
            if (verbose || code == InternalError) context.Error.WriteLine(e.ToString());
            return code;
        }
    }

    /// <summary>The exit code and the one line for an exception that ended a command.</summary>
    internal static (int code, string message) Classify(Exception e) => e switch
    {
        UsageException => (BadUsage, e.Message),
        ModelFormatException => (Failure, e.Message),
        Engine.Planning.PlanningException => (Failure, e.Message),
        OutputWriteException => (Failure, e.Message),
        MissingComponentException => (Failure, e.Message),
        OperationCanceledException => (Failure, "interrupted"),
        IOException or UnauthorizedAccessException => (Failure, e.Message),
        _ => (InternalError, $"internal error (a bug in alds, please report it with the trace below): {e.GetType().Name}: {FirstLine(e.Message)}"),
    };

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}
