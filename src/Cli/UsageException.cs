namespace Alds.Cli;

/// <summary>A command line that parses but asks for something impossible: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
