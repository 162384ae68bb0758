using Functional.Tests.Support;
using Xunit;
using static Functional.Tests.Experiments.ExperimentRun;

namespace Functional.Tests.Experiments;

/// <summary>The chapter-7 experiment on a small seeded configuration: the report is pinned bit for bit, the network
/// learns, and the filters are recorded before and after training.</summary>
public class ConvNetExperimentTests
{
    [Fact]
    public void SimpleConvNet_learns_and_its_filters_change()
    {
        var r = Run(
            "convnet",
            c => c with { Epochs = 2, TrainSize = 300 },
            "convnet-accuracy.png",
            "convnet-filters.png"
        );
        Snap.Match(Lines(r), "Experiments");
        Assert.Equal(3, r["history"]!.AsArray().Count); // step 0 and two epochs of 3 steps
        Assert.True(D(r["final_train_accuracy"]) > 0.3, $"train accuracy {D(r["final_train_accuracy"])}");
        var before = r["filters_before"]!.AsArray();
        var after = r["filters_after"]!.AsArray();
        Assert.Equal(30, before.Count);
        Assert.Equal(25, before[0]!.AsArray().Count);
        Assert.NotEqual(before.ToJsonString(), after.ToJsonString());
    }

    /// <summary>A long run reports as it goes: with the log not a terminal, one line per epoch with the metrics the
    /// report records for that epoch.</summary>
    [Fact]
    public void Every_epoch_is_reported_as_it_ends()
    {
        using var dir = new Functional.Tests.Data.TempDir();
        var log = new StringWriter();
        var ctx = new Functional.Cli.Experiments.ExperimentContext(dir.Path, 1, log) with
        {
            Epochs = 2,
            TrainSize = 300,
        };
        var r = Functional.Cli.Commands.ExperimentCommand.Find("convnet").Run(ctx);
        var lines = log.ToString()
            .Split('\n')
            .Where(l =>
                l.StartsWith("epoch ", StringComparison.Ordinal) && l.Contains(" step ", StringComparison.Ordinal)
            )
            .ToArray();
        Assert.Equal(2, lines.Length);
        var history = r["history"]!.AsArray();
        for (var e = 1; e <= 2; e++)
        {
            var point = history[e]!;
            var test = point["test_accuracy"]!.GetValue<double>();
            Assert.StartsWith($"epoch    {e}  step       {3 * e}/6  ", lines[e - 1]);
            Assert.EndsWith(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"acc {test:F4}"),
                lines[e - 1].TrimEnd()
            );
        }
    }
}
