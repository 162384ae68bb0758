using System.Text.Json.Nodes;
using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Tests.Reliability;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>
/// `train` with the training controls: each run straight equals the run stopped after k epochs and resumed
/// (identical report outside timing, identical checkpoint bytes), and the report says what the control did.
/// </summary>
public sealed class TrainControlsTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "fnn-controls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    static readonly TrainConfig Small = TrainConfig.Default with { LimitTrain = 200 };

    public static TheoryData<string> Cases => ["warmup", "plateau", "early-stop", "accumulate"];

    static TrainConfig Config(string name) =>
        name switch
        {
            // 16 steps an epoch: the resume at epoch 1 falls inside the 40-step ramp.
            "warmup" => Small with { Epochs = 4, Warmup = 40, Optimizer = "momentum" },
            "plateau" => Small with
            {
                Epochs = 8,
                LearningRate = 0.5,
                Validation = 0.2,
                LrSchedule = "plateau",
                PlateauFactor = 0.5,
                PlateauPatience = 1,
            },
            "early-stop" => Small with { Epochs = 12, LearningRate = 0.5, Validation = 0.2, EarlyStop = 2 },
            "accumulate" => Small with { Epochs = 4, Batch = 5, Accumulate = 3, Dropout = 0.1 },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

    static JsonObject Report(string dir)
    {
        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!.AsObject();
        Assert.True(r.Remove("timing"));
        return r;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stopping_after_k_epochs_and_resuming_equals_the_straight_run_bitwise(string name)
    {
        var cfg = Config(name);
        var (straight, first, resumed) = (
            Path.Combine(_dir, "straight"),
            Path.Combine(_dir, "first"),
            Path.Combine(_dir, "resumed")
        );
        Assert.Equal(0, TrainCommand.Run(cfg, straight, null, TextWriter.Null));
        var k =
            name == "plateau" ? 5
            : name == "early-stop" ? 4
            : 1; // before the reduction / the stop
        Assert.Equal(0, TrainCommand.Run(cfg with { Epochs = k }, first, null, TextWriter.Null));
        Assert.Equal(
            0,
            TrainCommand.Run(
                cfg,
                resumed,
                Path.Combine(first, "model.ckpt"),
                TextWriter.Null,
                new ResumeOverrides(Epochs: cfg.Epochs)
            )
        );
        Assert.Equal(Report(straight).ToJsonString(), Report(resumed).ToJsonString());
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(straight, "model.ckpt")),
            File.ReadAllBytes(Path.Combine(resumed, "model.ckpt"))
        );
        Assert.NotNull(Report(straight)["controls"]);
    }

    [Fact]
    public void The_plateau_report_lists_the_multiplier_of_every_epoch_and_the_reductions()
    {
        Assert.Equal(0, TrainCommand.Run(Config("plateau"), _dir, null, TextWriter.Null));
        var r = Report(_dir);
        var history = r["history"]!.AsArray();
        var losses = history.Select(h => h!["validation_loss"]!.GetValue<double>()).ToArray();
        var plateau = r["controls"]!["plateau"]!;
        var during = plateau["multiplier_per_epoch"]!.AsArray().Select(m => m!.GetValue<double>()).ToArray();
        Assert.Equal(history.Count, during.Length);
        for (var e = 0; e < during.Length; e++)
            Assert.Equal(Functional.Training.Plateau.Factor(losses[..e], 0.5, 1), during[e]);
        Assert.NotEmpty(plateau["reduced_at_epochs"]!.AsArray());
        Assert.Contains(during, m => m < 1);
    }

    [Fact]
    public void Early_stopping_ends_the_run_and_says_at_which_epoch()
    {
        var log = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(Config("early-stop"), _dir, null, log));
        var r = Report(_dir);
        var history = r["history"]!.AsArray();
        var losses = history.Select(h => h!["validation_loss"]!.GetValue<double>()).ToArray();
        Assert.True(history.Count < 12, $"ran all {history.Count} epochs");
        Assert.True(Functional.Training.EarlyStopping.ShouldStop(losses, 2));
        Assert.False(Functional.Training.EarlyStopping.ShouldStop(losses[..^1], 2));
        Assert.Equal(history.Count, r["controls"]!["early_stop"]!["stopped_at_epoch"]!.GetValue<int>());
        Assert.Contains($"early stop after epoch {history.Count}", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resuming_a_stopped_run_with_more_epochs_stops_again_without_a_step()
    {
        var (first, again) = (Path.Combine(_dir, "first"), Path.Combine(_dir, "again"));
        Assert.Equal(0, TrainCommand.Run(Config("early-stop"), first, null, TextWriter.Null));
        var ckpt = Path.Combine(first, "model.ckpt");
        Assert.Equal(
            0,
            TrainCommand.Run(Config("early-stop"), again, ckpt, TextWriter.Null, new ResumeOverrides(Epochs: 30))
        );
        Assert.Equal(Report(first)["history"]!.ToJsonString(), Report(again)["history"]!.ToJsonString());
        Assert.Equal(Report(first)["parameters_sha256"]!.ToString(), Report(again)["parameters_sha256"]!.ToString());
        Assert.True(Report(again)["controls"]!["early_stop"]!["stopped"]!.GetValue<bool>());
    }

    [Fact]
    public void Without_controls_the_configuration_json_has_no_control_fields()
    {
        var json = TrainConfig.Default.ToJson();
        foreach (var k in new[] { "warmup", "lr_schedule", "early_stop", "validation", "accumulate" })
            Assert.False(json.ContainsKey(k), k);
        var back = TrainConfig.FromJson(Config("plateau").ToJson());
        Assert.Equal(Config("plateau").ToJson().ToJsonString(), back.ToJson().ToJsonString());
    }

    [Theory]
    [InlineData("--warmup")]
    [InlineData("--lr-schedule")]
    [InlineData("--plateau-factor")]
    [InlineData("--plateau-patience")]
    [InlineData("--early-stop")]
    [InlineData("--validation")]
    [InlineData("--accumulate")]
    public void Train_help_has_a_line_for_each_control(string option)
    {
        var o = InProcess.Run("train", "--help");
        Assert.Equal(0, o.Code);
        Assert.Contains(o.Out.Split('\n'), l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--early-stop|3", "--early-stop: needs a validation loss")]
    [InlineData("--lr-schedule|plateau", "--lr-schedule plateau: needs a validation loss")]
    [InlineData("--warmup|0", "--warmup: expected a positive integer, got '0'")]
    [InlineData("--plateau-factor|1", "--plateau-factor: expected a number in (0, 1), got '1'")]
    [InlineData("--accumulate|0", "--accumulate: expected a positive integer, got '0'")]
    [InlineData("--validation|1", "--validation: expected a ratio in [0, 1), got '1'")]
    public void A_bad_control_is_a_one_line_error_naming_it(string args, string fragment)
    {
        var o = InProcess.Run(["train", "--out", InProcess.Fresh(), .. args.Split('|')]);
        InProcess.AssertOneLineError(o, 2, fragment);
    }
}
