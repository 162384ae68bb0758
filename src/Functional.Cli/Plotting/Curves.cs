using Functional.Training;
using ScottPlot;

namespace Functional.Cli.Plotting;

/// <summary>The `train` figure: loss and accuracy per epoch, train and test, side by side.</summary>
public static class Curves
{
    public static void Save(string path, IReadOnlyList<EpochLog> history, string title)
    {
        var xs = history.Select(h => (double)h.Epoch).ToArray();
        var mp = Plots.NewMulti();
        var loss = Plots.New($"{title}: loss", "epoch", "loss");
        Plots.Line(loss, xs, [.. history.Select(h => h.TrainLoss)], "train", color: Colors.C0);
        Plots.Line(loss, xs, [.. history.Select(h => h.TestLoss)], "test", dashed: true, color: Colors.C1);
        loss.ShowLegend(Alignment.UpperRight);
        mp.AddPlot(loss);
        var classification = history.Count > 0 && double.IsFinite(history[0].TrainAccuracy);
        if (classification)
        {
            var acc = Plots.New($"{title}: accuracy", "epoch", "accuracy");
            Plots.Line(acc, xs, [.. history.Select(h => h.TrainAccuracy)], "train", color: Colors.C0);
            Plots.Line(acc, xs, [.. history.Select(h => h.TestAccuracy)], "test", dashed: true, color: Colors.C1);
            acc.ShowLegend(Alignment.LowerRight);
            mp.AddPlot(acc);
            mp.Layout = new ScottPlot.MultiplotLayouts.Columns();
        }
        PngFile.Save(mp, path, classification ? 1400 : 800, 500);
    }
}
