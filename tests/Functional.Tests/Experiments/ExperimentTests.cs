using System.Text.Json.Nodes;
using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Cli.Experiments;
using Functional.Tests.Support;
using Xunit;
using static Functional.Tests.Experiments.ExperimentRun;

namespace Functional.Tests.Experiments;

/// <summary>
/// Every experiment on a tiny seeded configuration: its report is pinned bit for bit, and the outcome the
/// chapter is about is asserted where a small run can already show it.
/// </summary>
public class ExperimentTests
{
    [Fact]
    public void Batchnorm_learns_faster_than_no_batchnorm_for_most_weight_scales()
    {
        var r = Run("batchnorm", c => c with { TrainSize = 200, Batch = 10, Epochs = 3 }, "batchnorm.png");
        Snap.Match(Lines(r), "Experiments");
        var faster = r["summary"]!["batchnorm_higher_mean_accuracy"]!.GetValue<int>();
        Assert.True(faster > 8, $"BatchNorm ahead for only {faster} of 16 scales");
    }

    [Fact]
    public void Adam_AdaGrad_and_Momentum_end_below_plain_SGD()
    {
        var r = Run("optimizers", c => c with { Iterations = 100, Batch = 32 }, "optimizers.png");
        Snap.Match(Lines(r), "Experiments");
        var final = r["contenders"]!
            .AsArray()
            .ToDictionary(c => c!["label"]!.GetValue<string>(), c => D(c!["final_smoothed_loss"]));
        foreach (var better in new[] { "Adam", "AdaGrad", "Momentum" })
            Assert.True(final[better] < final["SGD"], $"{better} {final[better]} is not below SGD {final["SGD"]}");
    }

    [Fact]
    public void He_and_Xavier_end_far_below_std_001()
    {
        var r = Run("init", c => c with { Iterations = 250, Batch = 32 }, "init.png");
        Snap.Match(Lines(r), "Experiments");
        var final = r["contenders"]!
            .AsArray()
            .ToDictionary(c => c!["label"]!.GetValue<string>(), c => D(c!["final_smoothed_loss"]));
        Assert.True(final["std=0.01"] > 2.2, "std 0.01 should be stuck near ln 10");
        Assert.True(final["He"] < 0.75 * final["std=0.01"], $"He {final["He"]}");
        Assert.True(final["Xavier"] < 0.75 * final["std=0.01"], $"Xavier {final["Xavier"]}");
    }

    [Fact]
    public void Two_layer_net_learns_and_records_every_epoch()
    {
        var r = Run("two-layer", c => c with { Iterations = 60 }, "two-layer.png");
        Snap.Match(Lines(r), "Experiments");
        var relu = r["variants"]![0]!;
        Assert.Equal(4, relu["history"]!.AsArray().Count); // step 0 and epochs of 20 steps
        Assert.True(D(relu["final_test_accuracy"]) > 0.5);
    }

    [Fact]
    public void Regression_final_mse_is_well_below_the_variance_of_y()
    {
        var r = Run("regression", c => c with { Iterations = 400 }, "regression.png");
        Snap.Match(Lines(r), "Experiments");
        Assert.True(D(r["final_mse"]) < 0.5 * D(r["variance_of_y"]), $"MSE {D(r["final_mse"])}");
    }

    [Fact]
    public void Weight_decay_and_dropout_shrink_the_train_test_gap()
    {
        var r = Run("regularization", c => c with { Epochs = 20 }, "regularization.png");
        Snap.Match(Lines(r), "Experiments");
        var gap = r["variants"]!.AsArray().Select(v => D(v!["gap"])).ToArray();
        Assert.True(gap[1] < gap[0], $"weight decay gap {gap[1]} vs {gap[0]}");
        Assert.True(gap[2] < gap[0], $"dropout gap {gap[2]} vs {gap[0]}");
    }

    [Fact]
    public void Hyperparameter_search_ranks_trials_by_validation_accuracy()
    {
        var r = Run("hyperparameters", c => c with { Trials = 4, Epochs = 2, TrainSize = 200 }, "hyperparameters.png");
        Snap.Match(Lines(r), "Experiments");
        var ranking = r["ranking"]!.AsArray();
        Assert.Equal(4, ranking.Count);
        var acc = ranking.Select(t => D(t!["validation_accuracy"])).ToArray();
        Assert.Equal(acc.OrderByDescending(a => a), acc);
        Assert.All(ranking, t => Assert.InRange(D(t!["lr"]), 1e-6, 1e-2));
        Assert.All(ranking, t => Assert.InRange(D(t!["weight_decay"]), 1e-8, 1e-4));
    }

    [Fact]
    public void Gradient_descent_reproduces_the_chapter_4_numbers()
    {
        var r = Run("gradient-descent", c => c, "gradient-descent.png");
        Snap.Match(Lines(r), "Experiments");
        var t = r["tangents"]!.AsArray();
        Assert.Equal(0.2, D(t[0]!["slope"]), 9);
        Assert.Equal(0.3, D(t[1]!["slope"]), 9);
        var end = r["descent_path"]!.AsArray()[^1]!;
        Assert.Equal(-3 * Math.Pow(0.8, 20), D(end["x0"]), 6);
        Assert.Equal(4 * Math.Pow(0.8, 20), D(end["x1"]), 6);
        Assert.Equal(17 * 17, r["gradient_field"]!.AsArray().Count);
    }

    [Fact]
    public void Reports_do_not_depend_on_how_many_runs_train_in_parallel()
    {
        var one = Run("two-layer", c => c with { Iterations = 30, Parallelism = 1 });
        var two = Run("two-layer", c => c with { Iterations = 30, Parallelism = 2 });
        Assert.Equal(Lines(one), Lines(two));
    }

    [Fact]
    public void An_unknown_experiment_is_a_one_line_usage_error_naming_the_valid_ones()
    {
        var e = Assert.Throws<UsageException>(() => ExperimentCommand.Find("nope"));
        Assert.DoesNotContain('\n', e.Message);
        foreach (var x in ExperimentCommand.All)
            Assert.Contains(x.Name, e.Message, StringComparison.Ordinal);
        Assert.Equal(global::Functional.Cli.Cli.ExitUsage, global::Functional.Cli.Cli.Run(["experiment", "nope"]));
    }

    [Fact]
    public void A_shrink_option_the_experiment_does_not_take_is_a_usage_error()
    {
        var ctx = new ExperimentContext(Path.GetTempPath(), 1, TextWriter.Null) { Trials = 3 };
        var e = Assert.Throws<UsageException>(() => ExperimentCommand.Run("regression", ctx));
        Assert.Contains("--iterations", e.Message, StringComparison.Ordinal);
    }
}
