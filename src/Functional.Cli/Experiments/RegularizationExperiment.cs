using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 6's overfitting demo: a 7-layer MLP 784-[100]×6-10 (He init, ReLU) on only 300 training images,
/// SGD lr 0.01, batch 100 drawn with replacement; then the same with L2 weight decay λ = 0.1 and with Dropout
/// 0.2. Train and test accuracy per epoch, one panel per variant. All three see the same batches and start
/// from the same Affine weights.
/// </summary>
public sealed class RegularizationExperiment : IExperiment
{
    public string Name => "regularization";
    public string Description => "overfitting on 300 images; weight decay 0.1 and Dropout 0.2: train vs test accuracy";
    public Knobs Knobs => Knobs.Epochs | Knobs.TrainSize;

    const int Batch = 100;
    const double Lr = 0.01;
    static readonly int[] Hidden = [100, 100, 100, 100, 100, 100];

    sealed record Variant(string Label, double WeightDecay, double Dropout);

    static readonly Variant[] Variants =
    [
        new("no regularization", 0, 0),
        new("weight decay λ=0.1", 0.1, 0),
        new("Dropout 0.2", 0, 0.2),
    ];

    public JsonObject Run(ExperimentContext ctx)
    {
        var epochs = ctx.Pick(ctx.Epochs, 200, 40);
        var data = ctx.Images(ctx.Pick(ctx.TrainSize, 300, 300));
        var batches = new Batches(data.Train.Count, Batch, BatchSampling.Replacement).Validate();
        var perEpoch = batches.StepsPerEpoch;
        var opt = new Sgd(Lr);
        Network Net(Variant v) =>
            Nets.MultiLayerNetExtend(
                data.Train.Features,
                Hidden,
                10,
                HiddenActivation.Relu,
                new WeightInit.He(),
                weightDecay: v.WeightDecay,
                dropout: v.Dropout
            );
        var reference = Net(Variants[0]);
        var referenceParams = TrainState.Start(reference, opt, ctx.Key).Params;
        ctx.Log.WriteLine(
            $"{data.Train.Count} training / {data.Test.Count} test images, {epochs} epochs of {perEpoch} steps per variant"
        );
        var runs = Runner.Map(
            ctx.Parallelism,
            Variants.Length,
            i =>
            {
                var net = Net(Variants[i]);
                var start = SharedWeights.Start(reference, referenceParams, net, opt, ctx.Key);
                var r = Runner.Train(
                    net,
                    opt,
                    start,
                    data.Train,
                    batches,
                    (long)epochs * perEpoch,
                    perEpoch,
                    [data.Train, data.Test]
                );
                ctx.Log.WriteLine(
                    $"  {Variants[i].Label}: train acc {F(r.Last.Sets[0].Accuracy)}, test acc {F(r.Last.Sets[1].Accuracy)}"
                );
                return r;
            }
        );

        // The gap is averaged over the last tenth of the epochs: a single epoch's accuracies are noisy.
        double Gap(RunResult r) =>
            r
                .History.Skip(r.History.Count - Math.Max(1, r.History.Count / 10))
                .Average(h => h.Sets[0].Accuracy - h.Sets[1].Accuracy);
        Draw(ctx.File("regularization.png"), runs, Gap);
        TextTable.Print(
            ctx.Log,
            ["variant", "final train acc", "final test acc", "gap (mean of last 10%)"],
            Variants.Select(
                (v, i) =>
                    (IReadOnlyList<string>)
                        [v.Label, F(runs[i].Last.Sets[0].Accuracy), F(runs[i].Last.Sets[1].Accuracy), F(Gap(runs[i]))]
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
                ["hidden"] = Report.Numbers(Hidden.Select(h => (double)h)),
                ["activation"] = "relu",
                ["init"] = "he",
                ["optimizer"] = RuleSpec.ToJson(opt),
                ["batch"] = Batch,
                ["sampling"] = "replacement",
                ["epochs"] = epochs,
                ["steps_per_epoch"] = perEpoch,
                ["gap"] = "train accuracy − test accuracy, averaged over the last tenth of the evaluations",
            }
        );
        report["variants"] = Report.Objects(
            Variants.Select(
                (v, i) =>
                    new JsonObject
                    {
                        ["label"] = v.Label,
                        ["weight_decay"] = v.WeightDecay,
                        ["dropout"] = v.Dropout,
                        ["final_train_accuracy"] = runs[i].Last.Sets[0].Accuracy,
                        ["final_test_accuracy"] = runs[i].Last.Sets[1].Accuracy,
                        ["gap"] = Gap(runs[i]),
                        ["history"] = Report.Objects(runs[i].History.Select(TwoLayerExperiment.Point)),
                    }
            )
        );
        return report;
    }

    static void Draw(string path, RunResult[] runs, Func<RunResult, double> gap)
    {
        var mp = Plots.NewMulti();
        for (var i = 0; i < runs.Length; i++)
        {
            var p = Plots.New($"{Variants[i].Label} (gap {F(gap(runs[i]), 3)})", "epochs", i == 0 ? "accuracy" : "");
            var xs = runs[i].History.Select(h => (double)h.Epoch).ToArray();
            Plots.Line(p, xs, [.. runs[i].History.Select(h => h.Sets[0].Accuracy)], "train", color: Colors.C0);
            Plots.Line(
                p,
                xs,
                [.. runs[i].History.Select(h => h.Sets[1].Accuracy)],
                "test",
                dashed: true,
                color: Colors.C1
            );
            p.Axes.SetLimitsY(0, 1);
            p.ShowLegend(Alignment.LowerRight);
            mp.AddPlot(p);
        }
        mp.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plotting.PngFile.Save(mp, path, 1000, 400);
    }
}
