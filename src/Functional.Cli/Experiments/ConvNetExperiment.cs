using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Core;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using ScottPlot;
using SkiaSharp;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 7's SimpleConvNet (conv 30×5×5 → ReLU → max-pool 2×2 → 100 → ReLU → 10, weights 0.01·randn), Adam 0.001,
/// batch 100 shuffled, 20 epochs: train and test accuracy after every epoch, and the 30 first-layer filters as
/// 5×5 grey images before and after training (the book's figure: noise before, edge and blob detectors after).
/// </summary>
public sealed class ConvNetExperiment : IExperiment
{
    public string Name => "convnet";
    public string Description =>
        "SimpleConvNet (conv 30×5×5, pool, 100, 10), Adam 0.001: accuracy per epoch and the learned filters";
    public Knobs Knobs => Knobs.Epochs | Knobs.TrainSize;

    const int Batch = 100;
    const double Lr = 0.001;

    public JsonObject Run(ExperimentContext ctx)
    {
        var epochs = ctx.Pick(ctx.Epochs, 20, 3);
        var data = ctx.Images(ctx.TrainSize ?? (ctx.Quick ? 1000 : null));
        var image = TrainConfig.ImageShape(ctx.Dataset ?? "fashion-mnist", data.Train.Features);
        var net = Nets.SimpleConvNet(image, output: data.Train.ClassNames.Length);
        var opt = Adam.Dlfs(Lr);
        var batches = new Batches(data.Train.Count, Batch, BatchSampling.Shuffle).Validate();
        var perEpoch = batches.StepsPerEpoch;
        var steps = (long)epochs * perEpoch;
        ctx.Log.WriteLine(
            $"{data.Train.Count} training / {data.Test.Count} test images of {image}, {epochs} epochs of {perEpoch} steps"
        );
        var start = TrainState.Start(net, opt, ctx.Key);
        RunResult? trained = null;
        Reporting.Progress.Run(
            ctx.Log,
            steps,
            0,
            view =>
                trained = Runner.Train(
                    net,
                    opt,
                    start,
                    data.Train,
                    batches,
                    steps,
                    perEpoch,
                    [data.Train, data.Test],
                    view
                )
        );
        var run = trained!; // Progress.Run runs the body once, on this thread
        var before = start.Params[0, "W"];
        var after = run.Final.Params[0, "W"];

        DrawCurves(ctx.File("convnet-accuracy.png"), run);
        DrawFilters(ctx.File("convnet-filters.png"), before, after, net.Layers[0] is Layers.Conv2D c ? c : null);
        TextTable.Print(
            ctx.Log,
            ["epoch", "train acc", "test acc"],
            run.History.Select(h =>
                (IReadOnlyList<string>)
                    [
                        h.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        F(h.Sets[0].Accuracy),
                        F(h.Sets[1].Accuracy),
                    ]
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
                ["input_shape"] = image.ToString(),
                ["network"] = NetworkSpec.ToJson(net),
                ["optimizer"] = RuleSpec.ToJson(opt),
                ["batch"] = Batch,
                ["sampling"] = "shuffle",
                ["epochs"] = epochs,
                ["steps_per_epoch"] = perEpoch,
                ["evaluated"] =
                    "train and test accuracy and loss (eval mode) at step 0, after every epoch and at the end",
            }
        );
        report["final_train_accuracy"] = run.Last.Sets[0].Accuracy;
        report["final_test_accuracy"] = run.Last.Sets[1].Accuracy;
        report["diverged_at"] = run.DivergedAt;
        report["history"] = Report.Objects(run.History.Select(TwoLayerExperiment.Point));
        report["losses"] = Report.Numbers(run.Losses);
        report["filters_before"] = Filters(before);
        report["filters_after"] = Filters(after);
        return report;
    }

    /// <summary>Each filter's weights (a column of W, taps in (c, i, j) order), as JSON numbers.</summary>
    static JsonArray Filters(Tensor w) =>
        new([.. Enumerable.Range(0, w.ColumnCount).Select(f => (JsonNode)Report.Numbers(w.ColumnValues(f)))]);

    static void DrawCurves(string path, RunResult run)
    {
        var p = Plots.New("SimpleConvNet: accuracy per epoch", "epochs", "accuracy");
        var xs = run.History.Select(h => (double)h.Epoch).ToArray();
        Plots.Line(p, xs, [.. run.History.Select(h => h.Sets[0].Accuracy)], "train", color: Colors.Category10[0]);
        Plots.Line(
            p,
            xs,
            [.. run.History.Select(h => h.Sets[1].Accuracy)],
            "test",
            dashed: true,
            color: Colors.Category10[1]
        );
        p.Axes.SetLimitsY(0, 1);
        p.ShowLegend(Alignment.LowerRight);
        PngFile.Save(p, path, 700, 450);
    }

    /// <summary>The first channel of every filter, each min–max scaled to grey (black low, white high), the
    /// filters before training on the left and after on the right.</summary>
    static void DrawFilters(string path, Tensor before, Tensor after, Layers.Conv2D? conv)
    {
        int kh = conv?.KernelH ?? 5,
            kw = conv?.KernelW ?? 5,
            filters = before.ColumnCount,
            cols = 6,
            rows = (filters + cols - 1) / cols,
            px = 10,
            gap = 6,
            header = 34,
            panel = cols * (kw * px + gap) + gap,
            between = 30;
        using var bmp = new SKBitmap(2 * panel + between, header + rows * (kh * px + gap) + gap);
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        using var typeface =
            SKTypeface.FromFile(Path.Combine(AppContext.BaseDirectory, "Fonts", "DejaVuSans.ttf"))
            ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint();
        foreach (
            var (w, x0, title) in new[] { (before, 0, "before training"), (after, panel + between, "after training") }
        )
        {
            canvas.DrawText($"{filters} filters {kh}×{kw}, {title}", x0 + gap, 22, SKTextAlign.Left, font, ink);
            for (var f = 0; f < filters; f++)
            {
                var v = w.ColumnValues(f).AsSpan(0, kh * kw).ToArray();
                var (lo, hi) = (v.Min(), v.Max());
                var (fx, fy) = (x0 + gap + f % cols * (kw * px + gap), header + f / cols * (kh * px + gap));
                for (var t = 0; t < v.Length; t++)
                {
                    var g = (byte)Math.Round(hi > lo ? 255 * (v[t] - lo) / (hi - lo) : 0);
                    fill.Color = new SKColor(g, g, g);
                    canvas.DrawRect(fx + t % kw * px, fy + t / kw * px, px, px, fill);
                }
            }
        }
        using var png = SKImage.FromBitmap(bmp).Encode(SKEncodedImageFormat.Png, 100);
        Reporting.JsonFiles.WriteAtomically(path, png.ToArray());
    }
}
