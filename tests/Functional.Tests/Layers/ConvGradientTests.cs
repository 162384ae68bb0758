using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using Net = Functional.Models.Network;

namespace Functional.Tests.Layers;

/// <summary>The image layers and a small convolutional network, backprop against central differences (h = 1e-4),
/// float64, relative error below 1e-6 per array (<see cref="GradCheck"/>'s measure).</summary>
public class ConvGradientTests
{
    const double Tolerance = 1e-6;

    static void CheckAll(Net net, Tensor x, Tensor t)
    {
        var ps = net.Init(Key.Of(11));
        var st = net.InitState();
        var input = GradCheck.Input(net, ps, st, x, t, Ctx.Eval);
        Assert.True(input.MaxRelError < Tolerance, $"input gradient: max relative error {input.MaxRelError}");
        var all = GradCheck.Run(net, ps, st, x, t, Ctx.Eval);
        Assert.Equal(net.Layers.Sum(l => l is Functional.Layers.Conv2D or Affine ? 2 : 0), all.Count);
        foreach (var (key, d) in all)
            Assert.True(
                d.MaxRelError < Tolerance,
                $"{key}: max relative error {d.MaxRelError}, mean abs {d.MeanAbsDiff}"
            );
    }

    static Net Alone(SampleShape input, Layer layer) => new(input, Prelude.Seq1(layer), new MeanSquaredError());

    [Theory]
    [InlineData(1, 2, 3, 3, 1, 0)]
    [InlineData(2, 3, 3, 3, 2, 1)]
    [InlineData(3, 4, 3, 2, 1, 1)]
    [InlineData(2, 1, 2, 2, 2, 0)]
    [InlineData(3, 2, 3, 3, 2, 1)]
    public void Conv2D(int inChannels, int outChannels, int kh, int kw, int stride, int pad)
    {
        var image = SampleShape.Image(inChannels, 6, 5);
        var conv = new Conv2D(inChannels, outChannels, kh, kw, stride, pad, new WeightInit.Std(0.5));
        var outputs = conv.OutputShape(image).Size;
        CheckAll(Alone(image, conv), Normal(1, 3, image.Size), Normal(2, 3, outputs));
    }

    [Theory]
    [InlineData(2, 2, 2, 0)]
    [InlineData(3, 3, 2, 1)]
    [InlineData(3, 2, 1, 1)]
    public void MaxPool2D(int h, int w, int stride, int pad)
    {
        var image = SampleShape.Image(2, 6, 6);
        var pool = new MaxPool2D(h, w, stride, pad);
        CheckAll(Alone(image, pool), Normal(3, 3, image.Size), Normal(4, 3, pool.OutputShape(image).Size));
    }

    [Theory]
    [InlineData(2, 2, 2, 0)]
    [InlineData(3, 3, 2, 1)]
    [InlineData(3, 2, 1, 1)]
    public void AvgPool2D(int h, int w, int stride, int pad)
    {
        var image = SampleShape.Image(2, 6, 6);
        var pool = new AvgPool2D(h, w, stride, pad);
        CheckAll(Alone(image, pool), Normal(5, 3, image.Size), Normal(6, 3, pool.OutputShape(image).Size));
    }

    [Fact]
    public void A_small_conv_net()
    {
        var image = SampleShape.Image(2, 8, 8);
        var net = new Net(
            image,
            Prelude.Seq<Layer>(
                new Conv2D(2, 3, 3, 3, 1, 1, new WeightInit.He()),
                new Relu(),
                new MaxPool2D(2, 2, 2, 0),
                new Conv2D(3, 4, 3, 3, 2, 1, new WeightInit.He()),
                new Tanh(),
                new AvgPool2D(2, 2, 1, 0),
                new Flatten(),
                new Affine(4, 5, new WeightInit.Xavier())
            ),
            new SoftmaxWithLoss()
        );
        CheckAll(net, Normal(7, 4, image.Size), OneHot(8, 4, 5));
    }

    [Fact]
    public void SimpleConvNet_on_small_images()
    {
        var net = Nets.SimpleConvNet(
            SampleShape.Image(1, 10, 10),
            filters: 3,
            kernel: 3,
            hidden: 6,
            output: 4,
            weightInitStd: 0.3
        );
        Assert.Equal(3 * 4 * 4, ((Affine)net.Layers[4]).In);
        CheckAll(net, Normal(9, 3, 100), OneHot(10, 3, 4));
    }
}
