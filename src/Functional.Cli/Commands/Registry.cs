using System.CommandLine;

namespace Functional.Cli.Commands;

/// <summary>The commands beyond train/evaluate (experiment, gradcheck, show, draw, bench), one file each.</summary>
public static class Registry
{
    public static IEnumerable<Command> Commands() => [];
}
