using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Training;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Models;

/// <summary>Backprop against numerical gradients on every builder (float64, h = 1e-4): max relative error &lt; 1e-6.</summary>
public class NetworkGradientTests
{
    static void Check(Functional.Models.Network net, Ctx ctx, int n = 6, ulong seed = 1)
    {
        var ps = net.Init(Key.Of(seed));
        var x = Normal(seed + 100, n, net.Inputs);
        var t = OneHot(seed + 200, n, net.Outputs);
        var diffs = GradCheck.Run(net, ps, net.InitState(), x, t, ctx);
        Assert.Equal(ps.Count, diffs.Count);
        foreach (var (key, d) in diffs)
        {
            Assert.True(
                d.MaxRelError < 1e-6,
                $"{key}: max relative error {d.MaxRelError:E2}, mean abs diff {d.MeanAbsDiff:E2}"
            );
            Assert.True(d.MeanAbsDiff < 1e-9, $"{key}: mean abs diff {d.MeanAbsDiff:E2}");
        }
    }

    [Theory]
    [InlineData(HiddenActivation.Relu)]
    [InlineData(HiddenActivation.Sigmoid)]
    public void TwoLayerNet(HiddenActivation a) => Check(Nets.TwoLayerNet(7, 5, 3, 0.5, a), Ctx.Eval);

    [Theory]
    [InlineData(HiddenActivation.Relu)]
    [InlineData(HiddenActivation.Sigmoid)]
    [InlineData(HiddenActivation.Tanh)]
    public void MultiLayerNet_with_weight_decay(HiddenActivation a) =>
        Check(Nets.MultiLayerNet(6, [5, 4, 5], 3, a, weightDecay: 0.1), Ctx.Eval);

    [Fact]
    public void MultiLayerNetExtend_with_BatchNorm_in_training_mode_and_weight_decay() =>
        Check(
            Nets.MultiLayerNetExtend(6, [5, 4], 3, HiddenActivation.Relu, weightDecay: 0.05, batchNorm: true),
            Ctx.Train(Key.Of(3))
        );

    [Fact]
    public void MultiLayerNetExtend_with_BatchNorm_and_Dropout() =>
        Check(
            Nets.MultiLayerNetExtend(6, [5, 4], 3, HiddenActivation.Sigmoid, batchNorm: true, dropout: 0.3),
            Ctx.Train(Key.Of(4))
        );

    [Fact]
    public void Flux_regression_network_with_mse()
    {
        var net = Nets.FluxRegression();
        var ps = net.Init(Key.Of(5));
        var x = Normal(6, 8, 6);
        var t = Normal(7, 8, 1);
        foreach (var (key, d) in GradCheck.Run(net, ps, net.InitState(), x, t, Ctx.Train(Key.Of(1))))
            Assert.True(d.MaxRelError < 1e-6, $"{key}: {d.MaxRelError:E2}");
    }

    [Fact]
    public void Weight_decay_adds_half_lambda_sum_of_squares_to_the_loss()
    {
        var plain = Nets.MultiLayerNet(4, [3], 2);
        var decayed = plain with { WeightDecay = 0.1 };
        var ps = plain.Init(Key.Of(1));
        var x = Normal(2, 3, 4);
        var t = OneHot(3, 3, 2);
        var expected = 0.05 * (Mat.SumOfSquares(ps[0, "W"]) + Mat.SumOfSquares(ps[2, "W"]));
        Assert.Equal(
            expected,
            decayed.LossOf(ps, plain.InitState(), x, t, Ctx.Eval) - plain.LossOf(ps, plain.InitState(), x, t, Ctx.Eval),
            12
        );
    }
}
