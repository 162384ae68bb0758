using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// The Flux example: y = 3x + 2x² + 1 + 3cos(20x) on 300 points with features 1, x, …, x⁵; Dense 6→10, sigmoid,
/// BatchNorm (Flux conventions), Dense 10→1; MSE; Adam with Flux's defaults (lr 0.001, ε 1e-8); batches of 20
/// drawn with replacement. The estimate is evaluated in eval mode (running statistics), as Flux's testmode!.
/// </summary>
public sealed class RegressionExperiment : IExperiment
{
    public string Name => "regression";
    public string Description => "Flux BatchNorm regression of 3x+2x²+1+3cos(20x): data vs estimate and the MSE curve";
    public Knobs Knobs => Knobs.Iterations;

    const int Batch = 20;
    const int EvalEvery = 100;

    public JsonObject Run(ExperimentContext ctx)
    {
        var iterations = ctx.Pick(ctx.Iterations, 3000, 1000);
        var data = Regression.Flux();
        var xs = Regression.Xs(data.Count).ToArray();
        var y = data.T.ColumnValues(0);
        var net = Nets.FluxRegression();
        var opt = new Adam(0.001, 0.9, 0.999, 1e-8, true);
        var batches = new Batches(data.Count, Batch, BatchSampling.Replacement).Validate();
        var r = Runner.Train(
            net,
            opt,
            TrainState.Start(net, opt, ctx.Key),
            data,
            batches,
            iterations,
            EvalEvery,
            [data]
        );
        var estimate = net.Predict(r.Final.Params, r.Final.Model, data.X).ColumnValues(0);
        var mean = y.Average();
        var variance = y.Sum(v => (v - mean) * (v - mean)) / y.Length;
        var mse = r.Last.Sets[0].Loss;
        foreach (var h in r.History.Where(h => h.Step % 500 == 0 || h.Step == iterations))
            ctx.Log.WriteLine($"  step {h.Step, 5}  MSE (eval mode, 300 points) {F(h.Sets[0].Loss)}");
        Draw(ctx.File("regression.png"), xs, y, estimate, r);
        TextTable.Print(
            ctx.Log,
            ["quantity", "value"],
            [
                ["final MSE (eval mode)", F(mse)],
                ["variance of y", F(variance)],
                ["MSE / variance", F(mse / variance)],
                ["peer W5 (NumPy) MSE", "4.6465"],
            ]
        );

        var report = Report.Start(
            this,
            ctx,
            new JsonObject
            {
                ["points"] = data.Count,
                ["network"] = NetworkSpec.ToJson(net),
                ["optimizer"] = RuleSpec.ToJson(opt),
                ["batch"] = Batch,
                ["sampling"] = "replacement",
                ["iterations"] = iterations,
                ["evaluated"] = $"MSE over all points in eval mode at step 0 and every {EvalEvery} steps",
            }
        );
        report["final_mse"] = mse;
        report["variance_of_y"] = variance;
        report["mse_history"] = Report.Objects(
            r.History.Select(h => new JsonObject { ["step"] = h.Step, ["mse"] = h.Sets[0].Loss })
        );
        report["x"] = Report.Numbers(xs);
        report["y"] = Report.Numbers(y);
        report["estimate"] = Report.Numbers(estimate);
        report["batch_losses"] = Report.Numbers(r.Losses);
        return report;
    }

    static void Draw(string path, double[] xs, double[] y, double[] estimate, RunResult r)
    {
        var mp = Plots.NewMulti();
        var fit = Plots.New("Data and estimate (eval mode)", "x", "y");
        var data = fit.Add.ScatterPoints(xs, y);
        data.LegendText = "data 3x + 2x² + 1 + 3cos(20x)";
        data.MarkerSize = 4;
        data.Color = Colors.C0;
        Plots.Line(fit, xs, estimate, "network estimate", color: Colors.C1);
        fit.ShowLegend(Alignment.UpperLeft);
        var loss = Plots.New("Mean squared error", "iterations", "MSE");
        var steps = Enumerable.Range(1, r.Losses.Length).Select(s => (double)s).ToArray();
        var batch = loss.Add.ScatterLine(steps, r.Losses);
        batch.LegendText = "batch of 20 (train mode)";
        batch.Color = Colors.C0.WithAlpha(0.35);
        Plots.Line(
            loss,
            [.. r.History.Select(h => (double)h.Step)],
            [.. r.History.Select(h => h.Sets[0].Loss)],
            "all 300 points (eval mode)",
            color: Colors.C1
        );
        loss.Axes.SetLimitsY(0, 40);
        loss.ShowLegend(Alignment.UpperRight);
        mp.AddPlot(fit);
        mp.AddPlot(loss);
        mp.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plotting.PngFile.Save(mp, path, 1000, 450);
    }
}
