using System.CommandLine;

namespace Functional.Cli.Commands;

/// <summary>A top-level command of the tool (experiment, gradcheck, show, draw, bench…), one class per file.</summary>
public interface ICliCommand
{
    Command Build();
}

/// <summary>Finds every <see cref="ICliCommand"/> in this assembly, so adding a command touches no shared file.</summary>
public static class Registry
{
    public static IEnumerable<Command> Commands() =>
        typeof(Registry)
            .Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Build());
}
