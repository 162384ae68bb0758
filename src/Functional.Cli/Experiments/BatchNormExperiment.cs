using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Layers;
using Functional.Models;
using Functional.Numerics;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 6's BatchNorm test: for 16 weight scales w (init N(0, w²)), an MLP 784-[100]×5-10 with and without
/// BatchNorm trained by SGD on a small training set; the training accuracy per epoch in a 4×4 grid. For each w
/// both networks start from the same Affine weights and see the same batches (the peers' W2 set-up).
/// </summary>
public sealed class BatchNormExperiment : IExperiment
{
    public string Name => "batchnorm";
    public string Description => "BatchNorm vs none over 16 weight scales: training-accuracy curves in a 4×4 grid";
    public Knobs Knobs => Knobs.Epochs | Knobs.TrainSize | Knobs.Batch;

    const int Scales = 16;
    const double Lr = 0.01;

    public JsonObject Run(ExperimentContext ctx)
    {
        var epochs = ctx.Pick(ctx.Epochs, 20, 6);
        var trainSize = ctx.Pick(ctx.TrainSize, 1000, 500);
        var batch = ctx.Pick(ctx.Batch, 100, 100);
        var data = ctx.Images(trainSize).Train;
        var scales = Enumerable.Range(0, Scales).Select(i => PortableMath.Pow10(-4.0 * i / (Scales - 1))).ToArray();
        var batches = new Batches(data.Count, batch, BatchSampling.Replacement).Validate();
        var perEpoch = batches.StepsPerEpoch;
        var opt = new Sgd(Lr);
        Network Net(double w, bool bn) =>
            Nets.MultiLayerNetExtend(
                data.Features,
                [100, 100, 100, 100, 100],
                10,
                HiddenActivation.Relu,
                new WeightInit.Std(w),
                batchNorm: bn
            );
        ctx.Log.WriteLine(
            $"{data.Count} training images, {epochs} epochs of {perEpoch} steps, {Scales} scales × with/without BatchNorm"
        );

        var done = 0;
        var runs = Runner.Map(
            ctx.Parallelism,
            2 * Scales,
            j =>
            {
                var (i, bn) = (j / 2, j % 2 == 0);
                var key = ctx.Key.FoldIn((ulong)i);
                var bnNet = Net(scales[i], true);
                var bnStart = TrainState.Start(bnNet, opt, key);
                var net = bn ? bnNet : Net(scales[i], false);
                var start = bn ? bnStart : SharedWeights.Start(bnNet, bnStart.Params, net, opt, key);
                var r = Runner.Train(net, opt, start, data, batches, (long)epochs * perEpoch, perEpoch, [data]);
                ctx.Log.WriteLine(
                    $"  [{Interlocked.Increment(ref done), 2}/{2 * Scales}] w={G(scales[i]), -9} {(bn ? "BatchNorm" : "plain    ")} {(r.DivergedAt is long at ? $"diverged at step {at}" : $"final train acc {F(r.Last.Sets[0].Accuracy, 3)}")}"
                );
                return r;
            }
        );

        double[] Acc(RunResult r) => [.. r.History.Select(h => h.Sets[0].Accuracy)];
        Curve Of(RunResult r) => new([.. r.History.Select(h => (double)h.Step / perEpoch)], Acc(r), r.DivergedAt);
        var rows = scales
            .Select(
                (w, i) =>
                    (
                        W: w,
                        Bn: Acc(runs[2 * i]),
                        Plain: Acc(runs[2 * i + 1]),
                        BnDiverged: runs[2 * i].DivergedAt,
                        PlainDiverged: runs[2 * i + 1].DivergedAt
                    )
            )
            .ToList();
        var curves = scales.Select((w, i) => new Panel(w, Of(runs[2 * i]), Of(runs[2 * i + 1]))).ToList();
        var faster = rows.Count(r => r.Bn.Average() > r.Plain.Average());
        PngFile.Save(Figure(curves), ctx.File("batchnorm.png"), 1000, 900);

        TextTable.Print(
            ctx.Log,
            ["w (init std)", "BN final acc", "no-BN final acc", "BN mean acc", "no-BN mean acc"],
            curves.Select(c => (IReadOnlyList<string>)[G(c.W), c.Bn.Final, c.Plain.Final, c.Bn.Mean, c.Plain.Mean])
        );
        string Trained(Func<Panel, Curve> pick, string label)
        {
            var done = curves.Select(pick).Where(c => c.DivergedAt is null).ToList();
            var diverged = curves.Count - done.Count;
            return done.Count == 0
                ? $"{label} diverged at every scale"
                : $"{label} {F(done.Average(c => c.Accuracy[^1]), 3)}"
                    + (diverged > 0 ? $" ({diverged} diverged, left out)" : "");
        }
        ctx.Log.WriteLine(
            $"BatchNorm has the higher mean training accuracy over the epochs for {faster} of {Scales} scales; final accuracy averaged over the scales: {Trained(c => c.Bn, "BN")}, {Trained(c => c.Plain, "no-BN")}"
        );

        var report = Report.Start(
            this,
            ctx,
            new JsonObject
            {
                ["dataset"] = data.Name,
                ["train_size"] = data.Count,
                ["hidden"] = Report.Numbers([100, 100, 100, 100, 100]),
                ["activation"] = "relu",
                ["batchnorm"] = "Reference (eps 1e-5, running decay 0.9)",
                ["optimizer"] = RuleSpec.ToJson(opt),
                ["batch"] = batch,
                ["sampling"] = "replacement",
                ["epochs"] = epochs,
                ["steps_per_epoch"] = perEpoch,
                ["evaluated"] = "train accuracy (eval mode) at step 0 and after every epoch",
            }
        );
        report["scales"] = Report.Objects(
            rows.Select(r => new JsonObject
            {
                ["w"] = r.W,
                ["batchnorm_train_accuracy"] = Report.Numbers(r.Bn),
                ["plain_train_accuracy"] = Report.Numbers(r.Plain),
                ["batchnorm_diverged_at"] = r.BnDiverged,
                ["plain_diverged_at"] = r.PlainDiverged,
            })
        );
        report["summary"] = new JsonObject
        {
            ["batchnorm_higher_mean_accuracy"] = faster,
            ["scales"] = Scales,
            ["mean_final_accuracy_batchnorm"] = rows.Average(r => r.Bn[^1]),
            ["mean_final_accuracy_plain"] = rows.Average(r => r.Plain[^1]),
        };
        return report;
    }

    /// <summary>One network's training accuracy after each evaluation (x in epochs) and the step it diverged at.</summary>
    internal sealed record Curve(double[] Epochs, double[] Accuracy, long? DivergedAt)
    {
        /// <summary>The table's final accuracy: a diverged network has none (its last good one would flatter it).</summary>
        public string Final => DivergedAt is long s ? $"diverged at step {s}" : F(Accuracy[^1], 3);

        public string Mean => DivergedAt is null ? F(Accuracy.Average(), 3) : "-";
    }

    /// <summary>One weight scale: the BatchNorm network and the plain one.</summary>
    internal sealed record Panel(double W, Curve Bn, Curve Plain);

    /// <summary>The 4×4 grid. A diverged curve stops at its last good evaluation and ends in a red ×; the panel's
    /// title names the network that diverged.</summary>
    internal static Multiplot Figure(IReadOnlyList<Panel> panels)
    {
        var mp = Plots.NewMulti();
        for (var i = 0; i < panels.Count; i++)
        {
            var (w, bn, plain) = panels[i];
            var diverged = (bn.DivergedAt, plain.DivergedAt) switch
            {
                (not null, not null) => ": both diverged",
                (not null, null) => ": BN diverged",
                (null, not null) => ": no-BN diverged",
                _ => "",
            };
            var p = Plots.New(
                $"w = {G(w)}{diverged}",
                i >= panels.Count - 4 ? "epochs" : "",
                i % 4 == 0 ? "train accuracy" : ""
            );
            Plots.Line(p, bn.Epochs, bn.Accuracy, "BatchNorm", color: Colors.C0);
            Plots.Line(p, plain.Epochs, plain.Accuracy, "no BatchNorm", dashed: true, color: Colors.C1);
            foreach (var c in new[] { bn, plain }.Where(c => c.DivergedAt is not null))
            {
                var m = p.Add.Marker(c.Epochs[^1], c.Accuracy[^1], MarkerShape.Eks, 14, Colors.Red);
                m.LineWidth = 3;
                m.LegendText = "diverged";
            }
            p.Axes.SetLimitsY(0, 1);
            p.Axes.Title.Label.FontSize = 14;
            if (i == panels.Count - 1)
                p.ShowLegend(Alignment.UpperLeft); // the flat last panel has room for it
            else
                p.HideLegend();
            mp.AddPlot(p);
        }
        mp.Layout = new ScottPlot.MultiplotLayouts.Grid(4, 4);
        return mp;
    }
}
