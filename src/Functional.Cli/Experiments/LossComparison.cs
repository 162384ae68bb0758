using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>One curve of a loss comparison: a network and the rule that trains it.</summary>
public sealed record Contender(string Label, Network Net, IRule Rule);

/// <summary>
/// The shared body of the optimizer and the weight-init comparisons (chapter 6): each contender trains on the
/// same batches (drawn with replacement, the book's np.random.choice) for the same number of steps; the figure
/// shows the per-step training loss smoothed by a centered moving average.
/// </summary>
public static class LossComparison
{
    public const int DefaultBatch = 128;

    /// <summary>Centered moving-average window of the plotted curves (the book uses an 11-point Kaiser window;
    /// a wider plain mean reads better at 2000 steps and keeps the arithmetic obvious).</summary>
    public const int Window = 51;

    public static JsonObject Run(
        IExperiment experiment,
        ExperimentContext ctx,
        IReadOnlyList<Contender> contenders,
        int iterations,
        string figure,
        string title,
        double yMax
    )
    {
        var data = ctx.Images();
        var batch = ctx.Pick(ctx.Batch, DefaultBatch, DefaultBatch);
        var batches = new Batches(data.Train.Count, batch, BatchSampling.Replacement).Validate();
        ctx.Log.WriteLine(
            $"{data.Train.Count} training images, batch {batch} with replacement, {iterations} steps per contender"
        );
        var runs = Runner.Map(
            ctx.Parallelism,
            contenders.Count,
            i =>
            {
                var c = contenders[i];
                var opt = c.Rule;
                // Same key for every contender: the same batches, and the same initial weights for the same net.
                var r = Runner.Train(
                    c.Net,
                    opt,
                    TrainState.Start(c.Net, c.Rule, ctx.Key),
                    data.Train,
                    batches,
                    iterations
                );
                var test = Train.Evaluate(c.Net, r.Final.Params, r.Final.Model, data.Test);
                ctx.Log.WriteLine(
                    $"  {c.Label, -10} last-100 mean loss {F(Tail(r.Losses))}  test acc {F(test.Accuracy)}"
                        + (r.DivergedAt is long d ? $"  (diverged at step {d})" : "")
                );
                return (Run: r, Test: test);
            }
        );
        var smoothed = runs.Select(r => Smooth.Centered(r.Run.Losses, Window)).ToArray();
        Draw(ctx.File(figure), title, contenders, smoothed, yMax);
        TextTable.Print(
            ctx.Log,
            ["contender", "final smoothed loss", "mean loss last 100", "test loss", "test acc"],
            contenders.Select(
                (c, i) =>
                    (IReadOnlyList<string>)
                        [
                            c.Label,
                            F(smoothed[i][^1]),
                            F(Tail(runs[i].Run.Losses)),
                            F(runs[i].Test.Loss),
                            F(runs[i].Test.Accuracy),
                        ]
            )
        );

        var report = Report.Start(
            experiment,
            ctx,
            new JsonObject
            {
                ["dataset"] = data.Train.Name,
                ["train_size"] = data.Train.Count,
                ["test_size"] = data.Test.Count,
                ["network"] = NetworkSpec.ToJson(contenders[0].Net),
                ["batch"] = batch,
                ["sampling"] = "replacement",
                ["iterations"] = iterations,
                ["loss"] = "training-mode batch loss of each step, before its update",
                ["smoothing"] = $"centered moving average over {Window} steps, truncated at the ends",
            }
        );
        report["contenders"] = Report.Objects(
            contenders.Select(
                (c, i) =>
                    new JsonObject
                    {
                        ["label"] = c.Label,
                        ["network"] = NetworkSpec.ToJson(c.Net),
                        ["rule"] = RuleSpec.ToJson(c.Rule),
                        ["final_smoothed_loss"] = Reporting.JsonFiles.Num(smoothed[i][^1]),
                        ["mean_loss_last_100"] = Reporting.JsonFiles.Num(Tail(runs[i].Run.Losses)),
                        ["test_loss"] = Reporting.JsonFiles.Num(runs[i].Test.Loss),
                        ["test_accuracy"] = Reporting.JsonFiles.Num(runs[i].Test.Accuracy),
                        ["diverged_at"] = runs[i].Run.DivergedAt,
                        ["losses"] = Report.Numbers(runs[i].Run.Losses),
                        ["smoothed"] = Report.Numbers(smoothed[i]),
                    }
            )
        );
        return report;
    }

    static double Tail(double[] xs) => xs.Skip(Math.Max(0, xs.Length - 100)).Average();

    static void Draw(string path, string title, IReadOnlyList<Contender> cs, double[][] curves, double yMax)
    {
        var p = Plots.New(title, "iterations", $"training loss (moving average of {Window})");
        for (var i = 0; i < cs.Count; i++)
        {
            var xs = Enumerable.Range(1, curves[i].Length).Select(x => (double)x).ToArray();
            Plots.Line(p, xs, curves[i], cs[i].Label, color: Colors.Category10[i % 10]);
        }
        p.Axes.SetLimitsY(0, yMax);
        p.ShowLegend(Alignment.UpperRight);
        Plotting.PngFile.Save(p, path, 1000, 600);
    }
}
