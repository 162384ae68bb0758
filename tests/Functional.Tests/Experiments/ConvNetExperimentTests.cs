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
}
