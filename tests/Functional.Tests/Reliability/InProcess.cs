using System.Text.Json.Nodes;
using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>The CLI's entry point called in-process with stdout and stderr captured, and a scratch directory.</summary>
public static class InProcess
{
    public sealed record Outcome(int Code, string Err, string Out);

    public static readonly string Root = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-rel-" + Guid.NewGuid().ToString("N")))
        .FullName;

    public static string P(string name) => Path.Combine(Root, name);

    public static string Fresh(string stem = "out") => P(stem + "-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Runs <see cref="Cli.Run"/>; an exception escaping it is returned as exit 134 (what the process
    /// would die with) and its type and message as stderr, so a table row reports it instead of aborting.</summary>
    public static Outcome Run(params string[] args)
    {
        var (err, @out) = (new StringWriter(), new StringWriter());
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(@out);
        try
        {
            return new(Functional.Cli.Cli.Run(args), err.ToString(), @out.ToString());
        }
        catch (Exception e)
        {
            return new(134, $"{err}unhandled {e.GetType().Name}: {e.Message}\n{e.StackTrace}", @out.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }
    }

    /// <summary>Exit 2 (or <paramref name="code"/>) with exactly one line on stderr, "error: …", no stack trace,
    /// no raw control character.</summary>
    public static void AssertOneLineError(Outcome o, int code = 2, params string[] fragments)
    {
        Assert.True(o.Code == code, $"exit {o.Code} (expected {code}); stderr:\n{o.Err}");
        var lines = o.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{o.Err}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", o.Err, StringComparison.Ordinal);
        Assert.False(lines[0].Any(char.IsControl), $"control character in: {lines[0]}");
        foreach (var f in fragments)
            Assert.Contains(f, lines[0], StringComparison.Ordinal);
    }

    /// <summary>A real checkpoint of a 1-epoch run on 100 digits (10 steps of 10), made once.</summary>
    public static readonly Lazy<string> Good = new(() =>
    {
        var dir = P("good");
        Assert.Equal(
            0,
            TrainCommand.Run(TrainConfig.Default with { Epochs = 1, LimitTrain = 100 }, dir, null, TextWriter.Null)
        );
        return Path.Combine(dir, "model.ckpt");
    });

    public static Checkpoint GoodCheckpoint() =>
        Checkpoint.Load(Good.Value).Match(x => x, e => throw new InvalidOperationException(e.Message));

    public static JsonObject GoodConfig() => (JsonObject)GoodCheckpoint().Meta["config"]!.DeepClone();
}
