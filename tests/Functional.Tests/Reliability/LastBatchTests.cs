using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Training;
using Xunit;
using static Functional.Tests.Reliability.InProcess;

namespace Functional.Tests.Reliability;

/// <summary>A last batch of one sample with BatchNorm: merged into the previous batch, deterministically, and
/// recorded; every other cut is the plain one, index for index.</summary>
[Collection("Console")]
public sealed class LastBatchTests
{
    [Fact]
    public void Merging_changes_no_cut_whose_last_batch_is_not_one_sample()
    {
        var key = Key.Of(5);
        var checkedCuts = 0;
        for (var n = 2; n <= 40; n++)
        for (var b = 1; b <= 12; b++)
        {
            var plain = new Batches(n, b, BatchSampling.Shuffle);
            var merging = plain with { MergeSingleLast = true };
            if (merging.MergesLast)
                continue;
            Assert.Equal(plain.StepsPerEpoch, merging.StepsPerEpoch);
            for (long s = 0; s < 2L * plain.StepsPerEpoch; s++)
                Assert.Equal(plain.At(key, s), merging.At(key, s));
            checkedCuts++;
        }
        Assert.True(checkedCuts > 300, $"{checkedCuts}");
    }

    [Theory]
    [InlineData(11, 10)]
    [InlineData(1347, 2)]
    [InlineData(1347, 1346)]
    [InlineData(8000, 19)]
    [InlineData(3, 2)]
    public void A_last_batch_of_one_joins_the_previous_one_and_each_sample_is_drawn_once(int n, int b)
    {
        var batches = new Batches(n, b, BatchSampling.Shuffle) { MergeSingleLast = true };
        Assert.True(batches.MergesLast);
        Assert.Equal(n / b, batches.StepsPerEpoch);
        var key = Key.Of(9);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<int>();
            for (var s = 0; s < batches.StepsPerEpoch; s++)
            {
                var idx = batches.At(key, (long)epoch * batches.StepsPerEpoch + s);
                Assert.Equal(s == batches.StepsPerEpoch - 1 ? b + 1 : b, idx.Length);
                seen.AddRange(idx);
            }
            Assert.Equal(Enumerable.Range(0, n), seen.Order());
        }
    }

    [Theory]
    [InlineData("--limit-train", "11", "--batch", "10", "--epochs", "3")]
    [InlineData("--limit-train", "101", "--batch", "2", "--epochs", "1")]
    [InlineData("--limit-train", "41", "--batch", "20", "--epochs", "2", "--optimizer", "adam")]
    [InlineData("--limit-train", "21", "--batch", "4", "--iterations", "12", "--dropout", "0.2")]
    public void Training_with_BatchNorm_finishes_and_records_the_merge(params string[] args)
    {
        var dir = Fresh("merge");
        var o = Run(["train", .. args, "--out", dir]);
        Assert.True(o.Code == 0, o.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Contains(
            "merged into the previous one",
            report["last_batch"]!.GetValue<string>(),
            StringComparison.Ordinal
        );
        Assert.Contains("merged into the previous one", o.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_BatchNorm_a_last_batch_of_one_is_kept_and_nothing_is_recorded()
    {
        var dir = Fresh("nobn");
        var o = Run([
            "train",
            "--limit-train",
            "11",
            "--batch",
            "10",
            "--epochs",
            "2",
            "--batchnorm",
            "false",
            "--out",
            dir,
        ]);
        Assert.True(o.Code == 0, o.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Null(report["last_batch"]);
        Assert.Equal(2, report["steps_per_epoch"]!.GetValue<int>());
    }

    [Fact]
    public void A_merged_run_resumed_after_an_interruption_equals_the_straight_run()
    {
        var straight = Fresh("straight");
        Assert.Equal(
            0,
            Run(["train", "--limit-train", "31", "--batch", "10", "--epochs", "4", "--out", straight]).Code
        );
        var cut = Fresh("cut");
        Assert.Equal(0, Run(["train", "--limit-train", "31", "--batch", "10", "--epochs", "2", "--out", cut]).Code);
        var o = Run(["train", "--resume", Path.Combine(cut, "model.ckpt"), "--epochs", "4", "--out", cut]);
        Assert.True(o.Code == 0, o.Err);
        Assert.Equal(
            Cli.Fnn.ReportWithoutTiming(straight).Replace(straight, ""),
            Cli.Fnn.ReportWithoutTiming(cut).Replace(cut, "")
        );
    }
}
