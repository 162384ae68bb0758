using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 4/5's TwoLayerNet 784-50-10 (weights N(0, 0.01²)), SGD lr 0.1, batch 100 drawn with replacement;
/// train and test accuracy after every epoch (train_size/batch steps). The seed trains the ReLU net (0.971 on
/// MNIST) and the sigmoid one (0.946); both run here, side by side on the same batches.
/// </summary>
public sealed class TwoLayerExperiment : IExperiment
{
    public string Name => "two-layer";
    public string Description => "TwoLayerNet 784-50-10 (ReLU and sigmoid), SGD 0.1: train/test accuracy per epoch";
    public Knobs Knobs => Knobs.Iterations;

    const int Batch = 100;
    const double Lr = 0.1;

    public JsonObject Run(ExperimentContext ctx)
    {
        var iterations = ctx.Pick(ctx.Iterations, 10000, 1000);
        var data = ctx.Images();
        var batches = new Batches(data.Train.Count, Batch, BatchSampling.Replacement).Validate();
        var perEpoch = batches.StepsPerEpoch;
        var opt = new Sgd(Lr);
        (string Label, HiddenActivation Act)[] variants =
        [
            ("ReLU", HiddenActivation.Relu),
            ("sigmoid", HiddenActivation.Sigmoid),
        ];
        ctx.Log.WriteLine(
            $"{data.Train.Count} training / {data.Test.Count} test images, {iterations} steps, an epoch = {perEpoch} steps"
        );
        var runs = Runner.Map(
            ctx.Parallelism,
            variants.Length,
            i =>
            {
                var net = Nets.TwoLayerNet(data.Train.Features, 50, 10, 0.01, variants[i].Act);
                var r = Runner.Train(
                    net,
                    opt,
                    TrainState.Start(net, opt, ctx.Key),
                    data.Train,
                    batches,
                    iterations,
                    perEpoch,
                    [data.Train, data.Test]
                );
                ctx.Log.WriteLine(
                    $"  {variants[i].Label}: train acc {F(r.Last.Sets[0].Accuracy)}, test acc {F(r.Last.Sets[1].Accuracy)} after {r.Last.Step} steps"
                );
                return r;
            }
        );

        Draw(ctx.File("two-layer.png"), variants.Select(v => v.Label).ToArray(), runs);
        TextTable.Print(
            ctx.Log,
            ["activation", "final train acc", "final test acc", "best test acc", "at step"],
            variants.Select(
                (v, i) =>
                {
                    var best = runs[i].History.MaxBy(h => h.Sets[1].Accuracy)!;
                    return (IReadOnlyList<string>)
                        [
                            v.Label,
                            F(runs[i].Last.Sets[0].Accuracy),
                            F(runs[i].Last.Sets[1].Accuracy),
                            F(best.Sets[1].Accuracy),
                            best.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ];
                }
            )
        );

        var report = Report.Start(
            this,
            ctx,
            new JsonObject
            {
                ["dataset"] = data.Train.Name,
                ["train_size"] = data.Train.Count,
                ["test_size"] = data.Test.Count,
                ["network"] = "TwoLayerNet 784-50-10, weights N(0, 0.01²)",
                ["optimizer"] = RuleSpec.ToJson(opt),
                ["batch"] = Batch,
                ["sampling"] = "replacement",
                ["iterations"] = iterations,
                ["steps_per_epoch"] = perEpoch,
                ["evaluated"] =
                    "train and test accuracy and loss (eval mode) at step 0, after every epoch and at the end",
            }
        );
        report["variants"] = Report.Objects(
            variants.Select(
                (v, i) =>
                    new JsonObject
                    {
                        ["activation"] = v.Label,
                        ["final_train_accuracy"] = runs[i].Last.Sets[0].Accuracy,
                        ["final_test_accuracy"] = runs[i].Last.Sets[1].Accuracy,
                        ["history"] = Report.Objects(runs[i].History.Select(Point)),
                        ["losses"] = Report.Numbers(runs[i].Losses),
                    }
            )
        );
        return report;
    }

    /// <summary>One evaluation as JSON: the step, then loss and accuracy of the train and the test set.</summary>
    public static JsonObject Point(EvalPoint h) =>
        new()
        {
            ["epoch"] = h.Epoch,
            ["step"] = h.Step,
            ["train_loss"] = Reporting.JsonFiles.Num(h.Sets[0].Loss),
            ["train_accuracy"] = Reporting.JsonFiles.Num(h.Sets[0].Accuracy),
            ["test_loss"] = Reporting.JsonFiles.Num(h.Sets[1].Loss),
            ["test_accuracy"] = Reporting.JsonFiles.Num(h.Sets[1].Accuracy),
        };

    static void Draw(string path, string[] labels, RunResult[] runs)
    {
        var mp = Plots.NewMulti();
        var acc = Plots.New("TwoLayerNet: accuracy per epoch", "epochs", "accuracy");
        var loss = Plots.New("TwoLayerNet: training batch loss", "iterations", "loss (moving average of 51)");
        for (var i = 0; i < runs.Length; i++)
        {
            var xs = runs[i].History.Select(h => (double)h.Epoch).ToArray();
            var color = Colors.Category10[i];
            Plots.Line(
                acc,
                xs,
                [.. runs[i].History.Select(h => h.Sets[0].Accuracy)],
                $"{labels[i]} train",
                color: color
            );
            Plots.Line(
                acc,
                xs,
                [.. runs[i].History.Select(h => h.Sets[1].Accuracy)],
                $"{labels[i]} test",
                dashed: true,
                color: color
            );
            var steps = Enumerable.Range(1, runs[i].Losses.Length).Select(x => (double)x).ToArray();
            Plots.Line(loss, steps, Smooth.Centered(runs[i].Losses, 51), labels[i], color: color);
        }
        acc.Axes.SetLimitsY(0, 1);
        acc.ShowLegend(Alignment.LowerRight);
        loss.Axes.SetLimitsY(0, 2.5);
        loss.ShowLegend(Alignment.UpperRight);
        mp.AddPlot(acc);
        mp.AddPlot(loss);
        mp.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plotting.PngFile.Save(mp, path, 1000, 450);
    }
}
