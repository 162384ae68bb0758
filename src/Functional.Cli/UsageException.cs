namespace Functional.Cli;

/// <summary>Bad input from the user (an option, a file, a checkpoint): printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
