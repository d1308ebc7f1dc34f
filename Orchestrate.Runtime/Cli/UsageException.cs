namespace Orchestrate.Cli;

/// <summary>A user mistake found before anything ran: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
