using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Functional.Cli.Bench;
using Functional.Cli.Commands;
using Functional.Cli.Experiments;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Data;
using Functional.Training;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>The commands as a user first meets them: defaults that work for each data set, and reports and
/// figures that say what happened.</summary>
public sealed class UserDefaultsTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    string P(string name) => Path.Combine(_dir.Path, name);

    static void Ok(Fnn.Result r, string what) =>
        Assert.True(r.Code == 0, $"{what}: exit {r.Code}\nstderr: {r.Err}\nstdout: {r.Out}");

    static JsonNode Report(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;

    /// <summary>`train --dataset regression` alone trains the seed's Flux network with its Adam, batch and length:
    /// the bench's regression workload, bit for bit.</summary>
    [Fact]
    public void Train_on_the_regression_data_trains_the_Flux_network_by_default()
    {
        var r = Fnn.Run(["train", "--dataset", "regression", "--out", P("regression")]);
        Ok(r, "train --dataset regression");
        var report = Report(P("regression"));
        Assert.Equal(NetworkSpec.ToJson(Nets.FluxRegression()).ToJsonString(), report["network"]!.ToJsonString());
        Assert.Equal(3000, report["steps"]!.GetValue<long>());
        var w = Workloads.Regression(DataSets.Regression().Train);
        Assert.Equal(RuleSpec.ToJson(w.Opt).ToJsonString(), report["optimizer"]!.ToJsonString());
        var end = Train.Run(w.Net, w.Opt, w.Start(), w.Train, w.Batches, w.Steps).State;
        Assert.Equal(ParamsHash.Sha256(end.Params), report["parameters_sha256"]!.GetValue<string>());
        var y = w.Train.T.ColumnValues(0);
        var variance = y.Select(v => (v - y.Average()) * (v - y.Average())).Average();
        var mse = report["final"]!["test_loss"]!.GetValue<double>();
        Assert.True(mse < 0.5 * variance, $"final MSE {mse}, variance of y {variance}");
    }

    [Fact]
    public void Options_given_with_the_regression_data_replace_only_their_own_default()
    {
        var r = Fnn.Run(["train", "--dataset", "regression", "--epochs", "2", "--lr", "0.002", "--out", P("r2")]);
        Ok(r, "train --dataset regression --epochs 2 --lr 0.002");
        var config = Report(P("r2"))["config"]!;
        Assert.Equal(2, config["epochs"]!.GetValue<int>());
        Assert.Null(config["iterations"]);
        Assert.Equal(0.002, config["lr"]!.GetValue<double>());
        Assert.Equal("adam", config["optimizer"]!.GetValue<string>());
        Assert.Equal(20, config["batch"]!.GetValue<int>());
        Assert.Equal("sigmoid", config["activation"]!.GetValue<string>());
    }

    [Fact]
    public void Show_without_a_dataset_draws_the_digits()
    {
        Ok(Fnn.Run(["show", "--out", P("default.png")]), "show");
        Ok(Fnn.Run(["show", "--dataset", "digits", "--out", P("digits.png")]), "show --dataset digits");
        Assert.Equal(File.ReadAllBytes(P("digits.png")), File.ReadAllBytes(P("default.png")));
    }

    /// <summary>MNIST and Fashion-MNIST files cannot be told apart: without --dataset the report names the sets
    /// after the folder given instead of calling them Fashion-MNIST.</summary>
    [Fact]
    public void Idx_files_given_without_a_dataset_are_named_after_their_folder()
    {
        var mnist = Directory.CreateDirectory(P("mnist")).FullName;
        foreach (var f in Directory.GetFiles(Path.Combine(Snap.Root, "data", "fashion-mnist-mini")))
            File.Copy(f, Path.Combine(mnist, Path.GetFileName(f)));
        using var log = new StringWriter();
        var ctx = new ExperimentContext(P("named"), 1, log)
        {
            DataDir = mnist,
            Trials = 1,
            Epochs = 1,
            TrainSize = 125,
        };
        var report = ExperimentCommand.Find("hyperparameters").Run(ctx);
        Assert.Equal("mnist-train", report["config"]!["dataset"]!.GetValue<string>());
        Assert.Contains("named mnist-train and mnist-test", log.ToString(), StringComparison.Ordinal);
        var given = ctx with { Dataset = "fashion-mnist", Log = TextWriter.Null };
        Assert.Equal("fashion-mnist-train", given.Images(10).Train.Name);
    }

    /// <summary>The plain networks at w = 1 and 0.54 diverge at steps 5 and 6 on this set-up (the pinned batchnorm
    /// snapshot): the table says so instead of showing their last good accuracy.</summary>
    [Fact]
    public void A_diverged_network_is_shown_as_diverged_in_the_batchnorm_table()
    {
        using var log = new StringWriter();
        var ctx = new ExperimentContext(P("bn"), 1, log)
        {
            TrainSize = 200,
            Batch = 10,
            Epochs = 1,
        };
        var report = ExperimentCommand.Find("batchnorm").Run(ctx);
        Assert.Equal(5, report["scales"]![0]!["plain_diverged_at"]!.GetValue<long>());
        var lines = log.ToString().Split('\n');
        var row = Assert.Single(lines, l => l.StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains("diverged at step 5", row, StringComparison.Ordinal);
        var cells = row.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["1", "diverged at step 5", "-"], [cells[0], cells[2], cells[4]]);
        Assert.DoesNotContain(
            lines,
            l =>
                l.Contains("plain     final train acc", StringComparison.Ordinal)
                && l.Contains("w=1 ", StringComparison.Ordinal)
        );
        var summary = Assert.Single(lines, l => l.StartsWith("BatchNorm has the higher", StringComparison.Ordinal));
        Assert.Contains("no-BN", summary, StringComparison.Ordinal);
        Assert.Contains("2 diverged, left out", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_diverged_network_ends_in_a_marked_point_and_its_panel_says_so()
    {
        var ok = new BatchNormExperiment.Curve([0, 1, 2], [0.1, 0.5, 0.7], null);
        var bad = new BatchNormExperiment.Curve([0, 0.25], [0.1, 0.12], 6);
        var mp = BatchNormExperiment.Figure([new(1, ok, bad), new(0.5, ok, ok)]);
        var plots = mp.GetPlots();
        Assert.Equal("w = 1: no-BN diverged", plots[0].Axes.Title.Label.Text);
        Assert.Equal("w = 0.5", plots[1].Axes.Title.Label.Text);
        var marker = Assert.Single(plots[0].GetPlottables().OfType<ScottPlot.Plottables.Marker>());
        Assert.Equal("diverged", marker.LegendText);
        Assert.Equal((0.25, 0.12), (marker.Location.X, marker.Location.Y));
        Assert.Empty(plots[1].GetPlottables().OfType<ScottPlot.Plottables.Marker>());
    }

    /// <summary>The search's default is the book's 50 epochs; its figure has a title above the grid and names its
    /// axes.</summary>
    [Fact]
    public void Hyperparameter_search_runs_the_books_50_epochs_and_its_figure_has_a_title_and_axis_labels()
    {
        var ctx = new ExperimentContext(P("hp"), 1, TextWriter.Null) { Trials = 1, TrainSize = 125 };
        var report = ExperimentCommand.Find("hyperparameters").Run(ctx);
        Assert.Equal(50, report["config"]!["epochs"]!.GetValue<int>());

        // The panel titles are centred in their quarter of the width; only a figure title crosses the middle.
        using var png = SKBitmap.Decode(P("hp/hyperparameters.png"));
        var middle = Enumerable
            .Range(0, 30)
            .SelectMany(y => Enumerable.Range(png.Width / 2 - 20, 40).Select(x => png.GetPixel(x, y)))
            .Count(c => c.Alpha > 200 && c.Red < 100);
        Assert.True(middle > 20, $"no title text above the grid ({middle} dark pixels at the top middle)");

        var history = ImmutableArray.Create(new Metrics(1, 0.1), new Metrics(1, 0.1));
        var run = new RunResult([1, 1], [new EvalPoint(0, 0, history), new EvalPoint(1, 2, history)], null!, null);
        var trials = Enumerable.Range(0, 6).Select(i => new HyperparametersExperiment.Trial(i, 1e-3, 1e-6, run));
        var plots = HyperparametersExperiment.Figure([.. trials]).GetPlots();
        Assert.All(plots, p => Assert.NotEqual("", p.Axes.Title.Label.Text));
        Assert.Equal(["accuracy", "", "", "", "accuracy", ""], plots.Select(p => p.Axes.Left.Label.Text));
        Assert.Equal(["", "", "epochs", "epochs", "epochs", "epochs"], plots.Select(p => p.Axes.Bottom.Label.Text));
    }
}
