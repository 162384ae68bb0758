using Functional.Core;
using Functional.Data;
using Functional.Models;
using Functional.Tests.Support;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>
/// <see cref="Workspace"/>: the step-to-step memory a caller holds and passes by name. It never changes a value,
/// and it refuses to serve two loops at once.
/// </summary>
public class WorkspaceTests
{
    static readonly Dataset Toy = TestData.Toy(31, 40);

    static (Functional.Models.Network Net, Functional.Optim.IRule Rule, Batches Batches, TrainState Start) Setup()
    {
        var net = Nets.MultiLayerNetExtend(6, [5, 5], 3, batchNorm: true);
        var rule = Functional.Optim.Optimizers.Parse("adam", 0.01);
        var batches = new Batches(Toy.Count, 8, BatchSampling.Shuffle);
        return (net, rule, batches, TrainState.Start(net, rule, Key.Of(3)));
    }

    static byte[] Bytes(Functional.Models.Network net, Functional.Optim.IRule rule, TrainState s) =>
        Checkpoint.Encode(new Checkpoint(net, rule, s, new()));

    [Fact]
    public void A_workspace_kept_across_calls_gives_the_bits_of_a_fresh_one()
    {
        var (net, rule, batches, start) = Setup();
        var alone = Train.Run(net, rule, start, Toy, batches, 17).State;

        var ws = new Workspace();
        var half = Train.Run(net, rule, start, Toy, batches, 9, ws).State;
        var whole = Train.Steps(net, rule, half, Toy, batches, 17, ws).Last().State;
        var again = Train.Run(net, rule, start, Toy, batches, 17, ws).State;

        Assert.Equal(Bytes(net, rule, alone), Bytes(net, rule, whole));
        Assert.Equal(Bytes(net, rule, alone), Bytes(net, rule, again));
    }

    [Fact]
    public void A_workspace_serves_one_loop_at_a_time_and_is_free_again_when_that_loop_ends()
    {
        var (net, rule, batches, start) = Setup();
        var ws = new Workspace();
        using (var first = Train.Steps(net, rule, start, Toy, batches, 10, ws).GetEnumerator())
        {
            Assert.True(first.MoveNext());
            var e = Assert.Throws<InvalidOperationException>(() =>
                Train.Steps(net, rule, start, Toy, batches, 10, ws).First()
            );
            Assert.Contains("give each concurrent loop its own Workspace", e.Message);
        }
        // The first loop was disposed after one step: the workspace is free, also after a loop that throws.
        var blowsUp = Functional.Optim.Optimizers.Parse("sgd", 1e300);
        var hot = TrainState.Start(net, blowsUp, Key.Of(3));
        Assert.Throws<NonFiniteException>(() => Train.Run(net, blowsUp, hot, Toy, batches, 10, ws));
        Assert.Equal(10, Train.Run(net, rule, start, Toy, batches, 10, ws).State.Step);
    }
}
