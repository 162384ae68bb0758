using System.Text.Json.Nodes;
using Functional.Cli.Commands;
using Functional.Training;
using Xunit;
using static Functional.Tests.Reliability.InProcess;

namespace Functional.Tests.Reliability;

/// <summary>
/// Faults of the file system under the CLI, in-process: a read-only location is refused before any work (exit 2);
/// a disk that fills during a run stops it with one line naming the file (exit 4), the last good checkpoint kept and
/// no truncated or temporary file left; a finished run's files are never replaced unless asked.
/// </summary>
[Collection("Console")]
public sealed class OutputFaultTests
{
    static readonly string[] Small = ["train", "--limit-train", "100", "--epochs", "3"];

    static string[] Temps(string dir) => Directory.GetFiles(dir, "*.tmp-*", SearchOption.AllDirectories);

    public static TheoryData<string[]> ReadOnlyCommands() =>
        new()
        {
            { new[] { "train", "--limit-train", "50", "--epochs", "1", "--out", "@ro/run" } },
            { new[] { "train", "--limit-train", "50", "--epochs", "1", "--out", "@ro" } },
            { new[] { "train", "--resume", "@good", "--epochs", "2", "--out", "@ro/resumed" } },
            { new[] { "draw", "--out", "@ro/draw" } },
            { new[] { "experiment", "regression", "--out", "@ro/exp" } },
            { new[] { "bench", "--out", "@ro/bench.json" } },
            { new[] { "show", "--dataset", "digits", "--out", "@ro/digits.png" } },
            { new[] { "train", "--limit-train", "50", "--epochs", "1", "--out", "@ro/old", "--overwrite" } },
        };

    [TmpfsTheory]
    [MemberData(nameof(ReadOnlyCommands))]
    public void A_read_only_location_is_refused_before_any_work(string[] args)
    {
        using var fs = Tmpfs.Mount(1 << 20);
        Directory.CreateDirectory(Path.Combine(fs.Dir, "old"));
        File.WriteAllText(Path.Combine(fs.Dir, "old", "report.json"), "{\"kept\":true}");
        fs.RemountReadOnly();
        var argv = args.Select(a => a == "@good" ? Good.Value : a.Replace("@ro", fs.Dir, StringComparison.Ordinal))
            .ToArray();
        var o = Run(argv);
        AssertOneLineError(o, 2, "--out", fs.Dir);
        Assert.True(
            o.Err.Contains("read-only", StringComparison.Ordinal) || o.Err.Contains("cannot", StringComparison.Ordinal),
            o.Err
        );
        Assert.Equal("{\"kept\":true}", File.ReadAllText(Path.Combine(fs.Dir, "old", "report.json")));
    }

    /// <summary>Sizes of the small run's outputs on an ordinary disk (made once), rounded up to pages.</summary>
    static readonly Lazy<(long Ckpt, long Report, long Curves)> Sizes = new(() =>
    {
        var dir = Fresh("sizes");
        Assert.Equal(0, Run([.. Small, "--out", dir]).Code);
        static long Pages(string f) => (new FileInfo(f).Length + 4095) / 4096 * 4096;
        return (
            Pages(Path.Combine(dir, "model.ckpt")),
            Pages(Path.Combine(dir, "report.json")),
            Pages(Path.Combine(dir, "curves.png"))
        );
    });

    [TmpfsTheory]
    [InlineData("first checkpoint")]
    [InlineData("second checkpoint")]
    [InlineData("curves.png")]
    public void A_disk_that_fills_during_training_stops_it_in_one_line_and_keeps_the_last_checkpoint(string failing)
    {
        var (ckpt, report, curves) = Sizes.Value;
        Assert.True(curves > ckpt + 8192, $"the test needs a figure larger than a checkpoint: {curves} vs {ckpt}");
        using var fs = Tmpfs.Mount(4 << 20);
        var out_ = Path.Combine(fs.Dir, "run");
        var filler = fs.FillLeaving(
            failing switch
            {
                "first checkpoint" => ckpt / 2,
                "second checkpoint" => ckpt + ckpt / 2,
                _ => 2 * ckpt + report + 8192,
            }
        );
        var o = Run([.. Small, "--out", out_]);
        AssertOneLineError(o, Functional.Cli.Cli.ExitOutput, "no space left");
        Assert.Empty(Temps(fs.Dir));
        var model = Path.Combine(out_, "model.ckpt");
        switch (failing)
        {
            case "first checkpoint":
                Assert.Contains("no checkpoint had been written yet", o.Err, StringComparison.Ordinal);
                Assert.False(File.Exists(model));
                break;
            case "second checkpoint":
                Assert.Contains("model.ckpt", o.Err, StringComparison.Ordinal);
                Assert.Contains("is kept", o.Err, StringComparison.Ordinal);
                var kept = Checkpoint.Load(model).Match(c => c, e => throw new InvalidOperationException(e.Message));
                Assert.Equal(10, kept.State.Step);
                // with the space back, the kept checkpoint resumes to the end
                File.Delete(filler);
                var resumed = Run("train", "--resume", model, "--out", out_);
                Assert.True(resumed.Code == 0, resumed.Err);
                break;
            default:
                Assert.Contains("curves.png", o.Err, StringComparison.Ordinal);
                Assert.False(File.Exists(Path.Combine(out_, "curves.png")), "a truncated figure was left");
                Assert.True(Checkpoint.Load(model).IsSucc);
                break;
        }
    }

    [TmpfsTheory]
    [InlineData("draw")]
    [InlineData("show")]
    public void A_full_disk_leaves_no_partial_output(string command)
    {
        using var fs = Tmpfs.Mount(1 << 20);
        fs.FillLeaving(0);
        var target = Path.Combine(fs.Dir, command == "show" ? "digits.png" : "draw");
        var o = command == "show" ? Run("show", "--dataset", "digits", "--out", target) : Run("draw", "--out", target);
        AssertOneLineError(o, Functional.Cli.Cli.ExitOutput, "no space left");
        Assert.Empty(Temps(fs.Dir));
        Assert.False(File.Exists(target));
        if (Directory.Exists(target))
            Assert.DoesNotContain(Directory.GetFiles(target), f => new FileInfo(f).Length > 0);
    }

    [Fact]
    public void A_second_run_into_a_finished_runs_directory_is_refused_and_its_files_stay_byte_identical()
    {
        var dir = Fresh("finished");
        Assert.Equal(0, Run("train", "--limit-train", "50", "--epochs", "1", "--out", dir).Code);
        var before = Directory.GetFiles(dir).ToDictionary(f => f, File.ReadAllBytes);
        AssertOneLineError(Run("train", "--limit-train", "60", "--epochs", "1", "--out", dir), 2, "--overwrite");
        foreach (var (f, b) in before)
            Assert.Equal(b, File.ReadAllBytes(f));
        Assert.Equal(0, Run("train", "--limit-train", "60", "--epochs", "1", "--out", dir, "--overwrite").Code);
        Assert.NotEqual(before[Path.Combine(dir, "model.ckpt")], File.ReadAllBytes(Path.Combine(dir, "model.ckpt")));
    }

    [Fact]
    public void Default_output_names_never_repeat()
    {
        var names = Enumerable.Range(0, 50).Select(_ => Functional.Cli.Cli.DefaultOut("train")).ToList();
        Assert.All(names, n => Assert.Contains($"-{Environment.ProcessId}", n, StringComparison.Ordinal));
        var first = names[0];
        Directory.CreateDirectory(first);
        try
        {
            Assert.NotEqual(first, Functional.Cli.Cli.DefaultOut("train"));
        }
        finally
        {
            Directory.Delete(first);
            if (Directory.Exists("runs") && !Directory.EnumerateFileSystemEntries("runs").Any())
                Directory.Delete("runs");
        }
    }

    [Fact]
    public void An_interrupted_run_prints_a_quoted_resume_command_that_works_from_a_path_with_a_space()
    {
        var dir = Fresh("with space 'quoted'");
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try
        {
            code = TrainCommand.Run(
                Functional.Cli.TrainConfig.Default with
                {
                    Epochs = 1,
                    LimitTrain = 50,
                },
                dir,
                null,
                TextWriter.Null,
                interrupt: new CancellationToken(canceled: true)
            );
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Equal(TrainCommand.ExitInterrupted, code);
        var line = err.ToString().Split('\n').First(l => l.StartsWith("resume with:", StringComparison.Ordinal));
        var word = line[(line.IndexOf("--resume ", StringComparison.Ordinal) + "--resume ".Length)..].Trim();
        Assert.StartsWith("'", word, StringComparison.Ordinal);
        var unquoted = word[1..^1].Replace("'\\''", "'", StringComparison.Ordinal);
        Assert.Equal(Path.Combine(Path.GetFullPath(dir), "model.ckpt"), Path.GetFullPath(unquoted));
        Assert.Equal(0, Run("train", "--resume", unquoted, "--out", dir).Code);
    }

    [Fact]
    public void A_relative_data_directory_is_stored_absolute_and_data_may_be_given_again_on_resume()
    {
        var data = Directory.CreateDirectory(Fresh("data")).FullName;
        File.Copy(Functional.Cli.DataSources.RepoData("digits.csv.gz"), Path.Combine(data, "digits.csv.gz"));
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, data);
        Assert.False(Path.IsPathRooted(relative));
        var dir = Fresh("rel");
        Assert.Equal(0, Run("train", "--data", relative, "--limit-train", "50", "--epochs", "1", "--out", dir).Code);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["config"]!;
        Assert.Equal(data, config["data"]!.GetValue<string>());
        var o = Run(
            "train",
            "--resume",
            Path.Combine(dir, "model.ckpt"),
            "--epochs",
            "2",
            "--data",
            data,
            "--out",
            dir
        );
        Assert.True(o.Code == 0, o.Err);
    }

    [Fact]
    public void An_overflowing_BatchNorm_variance_is_a_divergence_and_no_checkpoint_holds_it()
    {
        var dir = Fresh("init");
        var o = Run("train", "--init", "1e300", "--limit-train", "50", "--epochs", "2", "--out", dir);
        Assert.True(o.Code == TrainCommand.ExitDiverged, $"exit {o.Code}: {o.Err}");
        Assert.DoesNotContain("   at ", o.Err, StringComparison.Ordinal);
        if (File.Exists(Path.Combine(dir, "model.ckpt")))
            Assert.True(Checkpoint.Load(Path.Combine(dir, "model.ckpt")).IsSucc);
    }
}
