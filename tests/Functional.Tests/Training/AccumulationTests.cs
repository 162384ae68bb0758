using Functional.Core;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Support;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>Gradient accumulation: its cut, K = 1 as the plain step, K &gt; 1 against one batch of B·K, and resume.</summary>
public class AccumulationTests
{
    [Fact]
    public void A_batch_is_cut_into_at_most_k_parts_of_at_least_min_rows()
    {
        Assert.Equal([4, 3, 3], Accumulation.Parts(10, 3));
        Assert.Equal([5, 5], Accumulation.Parts(10, 2));
        Assert.Equal([3, 2], Accumulation.Parts(5, 3, minRows: 2));
        Assert.Equal([1], Accumulation.Parts(1, 4));
        Assert.Equal([3], Accumulation.Parts(3, 4, minRows: 2));
        Assert.Equal([1, 1, 1], Accumulation.Parts(3, 4));
    }

    static (Network Net, TrainState State, Tensor X, Tensor T) Setup(bool batchNorm, double dropout, IRule rule)
    {
        var d = TestData.Toy(5, 40);
        var net = Nets.MultiLayerNetExtend(6, [8, 7], 3, batchNorm: batchNorm, dropout: dropout, weightDecay: 0.01);
        return (net, TrainState.Start(net, rule, Key.Of(3)), d.X, d.T);
    }

    [Theory]
    [InlineData(true, 0.2)]
    [InlineData(false, 0.0)]
    public void One_micro_batch_is_the_plain_step_bitwise(bool batchNorm, double dropout)
    {
        var rule = new Adam(0.01);
        var (net, s, x, t) = Setup(batchNorm, dropout, rule);
        var (a, b) = (s, s);
        for (var i = 0; i < 3; i++)
        {
            var ra = Train.Step(net, rule, a, x, t);
            var rb = Accumulation.Step(net, rule, b, x, t, 1);
            Assert.Equal(BitConverter.DoubleToInt64Bits(ra.Loss), BitConverter.DoubleToInt64Bits(rb.Loss));
            (a, b) = (ra.State, rb.State);
        }
        Assert.Equal(
            Checkpoint.Encode(new Checkpoint(net, rule, a, new())),
            Checkpoint.Encode(new Checkpoint(net, rule, b, new()))
        );
    }

    static double MaxRelative(Params a, Params b) =>
        a.Values.Keys.Max(k =>
        {
            var (x, y) = (Mat.Data(a[k]).ToArray(), Mat.Data(b[k]).ToArray());
            return x.Zip(y, (u, v) => Math.Abs(u - v) / Math.Max(Math.Abs(u), 1e-300)).Max();
        });

    [Fact]
    public void Four_micro_batches_match_one_batch_of_four_times_the_rows_to_rounding_without_batchnorm()
    {
        var rule = new Sgd(0.1);
        var (net, s, x, t) = Setup(false, 0.0, rule);
        var (a, b) = (s, s);
        double la = 0,
            lb = 0;
        for (var i = 0; i < 5; i++)
        {
            var ra = Train.Step(net, rule, a, x, t);
            var rb = Accumulation.Step(net, rule, b, x, t, 4);
            (a, b, la, lb) = (ra.State, rb.State, ra.Loss, rb.Loss);
        }
        var rel = MaxRelative(a.Params, b.Params);
        Assert.True(rel <= 1e-12, $"max relative difference {rel}");
        Assert.Equal(la, lb, 1e-12);
        // The grouping of the sums differs, so the bits do (the documented case: only K = 1 is bitwise).
        Assert.NotEqual(ParamsHash.Sha256(a.Params), ParamsHash.Sha256(b.Params));
    }

    [Fact]
    public void With_batchnorm_micro_batches_are_another_function_not_a_rounding()
    {
        var rule = new Sgd(0.1);
        var (net, s, x, t) = Setup(true, 0.0, rule);
        var a = Train.Step(net, rule, s, x, t).State;
        var b = Accumulation.Step(net, rule, s, x, t, 4).State;
        Assert.True(MaxRelative(a.Params, b.Params) > 1e-6);
    }

    [Fact]
    public void Resume_at_step_k_equals_straight_through_bitwise()
    {
        var data = TestData.Toy(2, 60);
        var rule = new Momentum(0.05, 0.9);
        var net = Nets.MultiLayerNetExtend(6, [6], 3, batchNorm: true, dropout: 0.2);
        var batches = new Batches(60, 12, BatchSampling.Shuffle);
        var start = TrainState.Start(net, rule, Key.Of(9));
        var straight = Accumulation.Steps(net, rule, start, data, batches, 3, 23, minRows: 2).Last().State;
        var atK = Accumulation.Steps(net, rule, start, data, batches, 3, 8, minRows: 2).Last().State;
        var restored = Checkpoint
            .Decode(Checkpoint.Encode(new Checkpoint(net, rule, atK, new())), "memory")
            .Match(c => c, e => throw new InvalidOperationException(e.Message));
        var resumed = Accumulation
            .Steps(restored.Net, restored.Optimizer!, restored.State, data, batches, 3, 23, minRows: 2)
            .Last()
            .State;
        Assert.Equal(
            Checkpoint.Encode(new Checkpoint(net, rule, straight, new())),
            Checkpoint.Encode(new Checkpoint(net, rule, resumed, new()))
        );
        var plain = Train.Steps(net, rule, start, data, batches, 23).Last().State;
        Assert.NotEqual(ParamsHash.Sha256(plain.Params), ParamsHash.Sha256(straight.Params));
    }
}
