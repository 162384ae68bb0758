using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Core;
using Functional.Data;
using Functional.Models;
using Functional.Numerics;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 6's hyper-parameter search: learning rate 10^U(−6,−2) and weight decay 10^U(−8,−4) drawn from the
/// run's key, each trial a short SGD training of an MLP 784-[100]×6-10 on the first training images, judged on
/// a validation split (20%) carved from them; the test set is never looked at. The default is the book's 100 trials
/// × 50 epochs on 500 images.
/// </summary>
public sealed class HyperparametersExperiment : IExperiment
{
    public string Name => "hyperparameters";
    public string Description =>
        "random search of lr and weight decay on a validation split: top-20 curves and a table";
    public Knobs Knobs => Knobs.Trials | Knobs.Epochs | Knobs.TrainSize;

    const int Batch = 100;
    internal const int BookEpochs = 50;
    const int Shown = 20;
    const ulong SearchPurpose = 101; // the key branch of the draws, apart from every training key
    static readonly int[] Hidden = [100, 100, 100, 100, 100, 100];

    internal sealed record Trial(int Index, double Lr, double WeightDecay, RunResult Run)
    {
        public double Validation => Run.Last.Sets[1].Accuracy;
    }

    public JsonObject Run(ExperimentContext ctx)
    {
        var trials = ctx.Pick(ctx.Trials, 100, 20);
        var epochs = ctx.Pick(ctx.Epochs, BookEpochs, 10);
        var all = ctx.Images(ctx.Pick(ctx.TrainSize, 500, 500)).Train;
        var perm = Sampling.Permutation(ctx.Key.FoldIn(KeyPurpose.Split), all.Count);
        var split = Splits.ByPermutation(all, perm, Splits.TestCount(all.Count, 0.2));
        var (train, validation) = (split.Train, split.Test);
        var batches = new Batches(train.Count, Batch, BatchSampling.Replacement).Validate();
        var perEpoch = batches.StepsPerEpoch;
        ctx.Log.WriteLine(
            $"{train.Count} training / {validation.Count} validation images, {trials} trials × {epochs} epochs of {perEpoch} steps"
        );
        var done = 0;
        var results = Runner.Map(
            ctx.Parallelism,
            trials,
            t =>
            {
                var draw = ctx.Key.FoldIn(SearchPurpose).FoldIn((ulong)t);
                var lr = PortableMath.Pow10(-6 + 4 * draw.Uniform(0));
                var wd = PortableMath.Pow10(-8 + 4 * draw.Uniform(1));
                var net = Nets.MultiLayerNet(train.Features, Hidden, 10, HiddenActivation.Relu, weightDecay: wd);
                var opt = new Sgd(lr);
                var r = Runner.Train(
                    net,
                    opt,
                    TrainState.Start(net, opt, ctx.Key.FoldIn((ulong)t)),
                    train,
                    batches,
                    (long)epochs * perEpoch,
                    perEpoch,
                    [train, validation]
                );
                var n = Interlocked.Increment(ref done);
                if (n % 10 == 0 || n == trials)
                    ctx.Log.WriteLine($"  {n}/{trials} trials done");
                return new Trial(t, lr, wd, r);
            }
        );
        // Best first; ties keep the draw order, so the ranking is deterministic.
        var ranked = results.OrderByDescending(t => t.Validation).ThenBy(t => t.Index).ToList();
        var best = ranked.Take(Shown).ToList();
        PngFile.Save(
            Figure(best),
            ctx.File("hyperparameters.png"),
            1000,
            Math.Max(1, (best.Count + 3) / 4) * 190,
            Title(all.Name, trials, best.Count, epochs)
        );
        TextTable.Print(
            ctx.Log,
            ["rank", "trial", "lr", "weight decay", "val acc", "train acc"],
            ranked
                .Take(10)
                .Select(
                    (t, i) =>
                        (IReadOnlyList<string>)
                            [
                                $"{i + 1}",
                                $"{t.Index}",
                                G(t.Lr),
                                G(t.WeightDecay),
                                F(t.Validation, 3),
                                F(t.Run.Last.Sets[0].Accuracy, 3),
                            ]
                )
        );
        var good = ranked.Take(Math.Max(1, trials / 10)).ToList();
        ctx.Log.WriteLine(
            $"the best tenth of the trials used lr in [{G(good.Min(t => t.Lr))}, {G(good.Max(t => t.Lr))}] and weight decay in [{G(good.Min(t => t.WeightDecay))}, {G(good.Max(t => t.WeightDecay))}]"
        );

        var report = Report.Start(
            this,
            ctx,
            new JsonObject
            {
                ["dataset"] = all.Name,
                ["train_size"] = train.Count,
                ["validation_size"] = validation.Count,
                ["hidden"] = Report.Numbers(Hidden.Select(h => (double)h)),
                ["activation"] = "relu",
                ["init"] = "he",
                ["optimizer"] = "SGD(lr) with L2 weight decay in the loss",
                ["lr"] = "10^U(-6,-2)",
                ["weight_decay"] = "10^U(-8,-4)",
                ["batch"] = Batch,
                ["sampling"] = "replacement",
                ["trials"] = trials,
                ["epochs"] = epochs,
                ["steps_per_epoch"] = perEpoch,
            }
        );
        report["ranking"] = Report.Objects(
            ranked.Select(
                (t, i) =>
                    new JsonObject
                    {
                        ["rank"] = i + 1,
                        ["trial"] = t.Index,
                        ["lr"] = t.Lr,
                        ["weight_decay"] = t.WeightDecay,
                        ["validation_accuracy"] = t.Validation,
                        ["train_accuracy"] = t.Run.Last.Sets[0].Accuracy,
                        ["diverged_at"] = t.Run.DivergedAt,
                        ["validation_curve"] = Report.Numbers(t.Run.History.Select(h => h.Sets[1].Accuracy)),
                        ["train_curve"] = Report.Numbers(t.Run.History.Select(h => h.Sets[0].Accuracy)),
                    }
            )
        );
        return report;
    }

    internal static string Title(string dataset, int trials, int shown, int epochs) =>
        $"Random search of lr and weight decay on {dataset}: best {shown} of {trials} trials, {epochs} epochs";

    /// <summary>The best trials' curves, four to a row; the bottom row names the x axis and the left column the y axis.</summary>
    internal static Multiplot Figure(IReadOnlyList<Trial> best)
    {
        var mp = Plots.NewMulti();
        var rows = Math.Max(1, (best.Count + 3) / 4);
        for (var i = 0; i < best.Count; i++)
        {
            var t = best[i];
            var p = Plots.New(
                $"#{i + 1} lr {G(t.Lr)} wd {G(t.WeightDecay)}",
                i + 4 >= best.Count ? "epochs" : "",
                i % 4 == 0 ? "accuracy" : ""
            );
            var xs = t.Run.History.Select(h => (double)h.Epoch).ToArray();
            Plots.Line(p, xs, [.. t.Run.History.Select(h => h.Sets[1].Accuracy)], "validation", color: Colors.C0);
            Plots.Line(
                p,
                xs,
                [.. t.Run.History.Select(h => h.Sets[0].Accuracy)],
                "train",
                dashed: true,
                color: Colors.C1
            );
            p.Axes.SetLimitsY(0, 1);
            p.Axes.Title.Label.FontSize = 13;
            if (i == best.Count - 1)
                p.ShowLegend(Alignment.UpperLeft);
            else
                p.HideLegend();
            mp.AddPlot(p);
        }
        mp.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, 4);
        return mp;
    }
}
