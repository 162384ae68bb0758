using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using Net = Functional.Models.Network;

namespace Functional.Tests.Layers;

/// <summary>Every layer alone, backprop against central differences (h = 1e-4), float64.</summary>
public class LayerGradientTests
{
    const double Tolerance = 1e-6;

    static void CheckAll(Net net, Tensor x, Tensor t, Ctx ctx)
    {
        var ps = net.Init(Key.Of(11));
        var st = net.InitState();
        var input = GradCheck.Input(net, ps, st, x, t, ctx);
        Assert.True(input.MaxRelError < Tolerance, $"input gradient: max relative error {input.MaxRelError}");
        foreach (var (key, d) in GradCheck.Run(net, ps, st, x, t, ctx))
            Assert.True(
                d.MaxRelError < Tolerance,
                $"{key}: max relative error {d.MaxRelError}, mean abs {d.MeanAbsDiff}"
            );
    }

    static Net Alone(int inputs, Layer layer, LossLayer? loss = null) =>
        new(inputs, Prelude.Seq1(layer), loss ?? new MeanSquaredError());

    [Fact]
    public void Affine() =>
        CheckAll(Alone(4, new Affine(4, 3, new WeightInit.Std(0.5))), Normal(1, 5, 4), Normal(2, 5, 3), Ctx.Eval);

    [Fact]
    public void Relu() => CheckAll(Alone(4, new Relu()), Normal(3, 6, 4), Normal(4, 6, 4), Ctx.Eval);

    [Fact]
    public void Sigmoid() => CheckAll(Alone(4, new Sigmoid()), Normal(5, 6, 4), Normal(6, 6, 4), Ctx.Eval);

    [Fact]
    public void Tanh() => CheckAll(Alone(4, new Tanh()), Normal(7, 6, 4), Normal(8, 6, 4), Ctx.Eval);

    [Theory]
    [InlineData(Mode.Train)]
    [InlineData(Mode.Eval)]
    public void BatchNorm(Mode mode) =>
        CheckAll(
            Alone(4, new BatchNorm(4, BatchNormConfig.Reference)),
            Normal(9, 6, 4, 3.0) + 1.0,
            Normal(10, 6, 4),
            new Ctx(mode, Key.Of(1))
        );

    [Fact]
    public void Dropout_in_training_mode_with_a_fixed_key() =>
        CheckAll(Alone(5, new Dropout(0.3)), Normal(11, 6, 5), Normal(12, 6, 5), Ctx.Train(Key.Of(5)));

    [Fact]
    public void SoftmaxWithLoss_on_scores() =>
        CheckAll(new Net(4, Seq<Layer>.Empty, new SoftmaxWithLoss()), Normal(13, 5, 4), OneHot(14, 5, 4), Ctx.Eval);

    [Fact]
    public void MeanSquaredError_on_outputs() =>
        CheckAll(new Net(3, Seq<Layer>.Empty, new MeanSquaredError()), Normal(15, 5, 3), Normal(16, 5, 3), Ctx.Eval);

    [Fact]
    public void SoftmaxWithLoss_backward_is_y_minus_t_over_n()
    {
        var x = Normal(17, 4, 3);
        var t = OneHot(18, 4, 3);
        var loss = new SoftmaxWithLoss();
        var (_, cache) = loss.Forward(x, t);
        var expected = (Functions.Softmax(x) - t).DivideLikeMathNet(4);
        Assert.True(Mat.BitwiseEqual(expected, loss.Backward(cache)));
        var (l2, _) = loss.Forward(x, [.. Mat.ArgMaxRows(t)]);
        Assert.Equal(loss.Forward(x, t).Loss, l2);
    }
}
