using System.Text.Json.Nodes;
using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Tests.Support;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>The whole `train` pipeline on a small seeded configuration: history and final hash pinned.</summary>
public sealed class TrainCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "fnn-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    static readonly TrainConfig Small = TrainConfig.Default with { Epochs = 3, LimitTrain = 200 };

    static JsonObject ReportWithoutTiming(string dir)
    {
        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!.AsObject();
        Assert.True(r.Remove("timing"));
        return r;
    }

    [Fact]
    public void Three_epochs_on_200_digits_are_pinned()
    {
        var log = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(Small, _dir, null, log));
        var report = ReportWithoutTiming(_dir);
        Assert.Equal(3, report["history"]!.AsArray().Count);
        Assert.True(File.Exists(Path.Combine(_dir, "curves.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "model.ckpt")));
        Assert.Contains("Affine 64→32", log.ToString());
        Snap.Match(report.ToJsonString(), "Training");
    }

    [Fact]
    public void Two_runs_with_the_same_seed_write_identical_reports_outside_timing()
    {
        var a = Path.Combine(_dir, "a");
        var b = Path.Combine(_dir, "b");
        TrainCommand.Run(Small with { Epochs = 2 }, a, null, TextWriter.Null);
        TrainCommand.Run(Small with { Epochs = 2 }, b, null, TextWriter.Null);
        Assert.Equal(ReportWithoutTiming(a).ToJsonString(), ReportWithoutTiming(b).ToJsonString());
        var c = Path.Combine(_dir, "c");
        TrainCommand.Run(Small with { Epochs = 2, Seed = 2 }, c, null, TextWriter.Null);
        Assert.NotEqual(
            ReportWithoutTiming(a)["parameters_sha256"]!.ToString(),
            ReportWithoutTiming(c)["parameters_sha256"]!.ToString()
        );
    }

    [Fact]
    public void Resuming_a_shorter_run_to_the_full_length_equals_the_straight_run()
    {
        var straight = Path.Combine(_dir, "straight");
        var first = Path.Combine(_dir, "first");
        var resumed = Path.Combine(_dir, "resumed");
        TrainCommand.Run(Small, straight, null, TextWriter.Null);
        TrainCommand.Run(Small with { Epochs = 1 }, first, null, TextWriter.Null);
        TrainCommand.Run(
            Small,
            resumed,
            Path.Combine(first, "model.ckpt"),
            TextWriter.Null,
            new ResumeOverrides(Epochs: 3)
        );
        Assert.Equal(ReportWithoutTiming(straight).ToJsonString(), ReportWithoutTiming(resumed).ToJsonString());
    }

    [Fact]
    public void Evaluate_prints_loss_and_accuracy_of_the_saved_model()
    {
        TrainCommand.Run(Small with { Epochs = 1 }, _dir, null, TextWriter.Null);
        var log = new StringWriter();
        Assert.Equal(0, EvaluateCommand.Run(Path.Combine(_dir, "model.ckpt"), null, null, log));
        var report = ReportWithoutTiming(_dir);
        var testAcc = report["final"]!["test_accuracy"]!.GetValue<double>();
        Assert.Contains(
            $"accuracy {testAcc.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}",
            log.ToString()
        );
    }
}
