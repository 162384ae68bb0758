using Functional.Core;
using Functional.Layers;
using Functional.Models;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Layers;

/// <summary>Conv2D against its nested-loop definition (<see cref="ConvReference"/>), bit for bit.</summary>
public class Conv2DTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int> Cases =>
        new()
        {
            // N, C, H, W, F, KH, KW, stride, pad
            { 3, 2, 6, 5, 4, 3, 3, 1, 0 },
            { 2, 3, 7, 7, 5, 3, 3, 2, 1 },
            { 4, 1, 5, 6, 2, 2, 3, 1, 1 },
            { 1, 4, 4, 4, 3, 1, 1, 1, 0 },
            { 20, 2, 8, 8, 3, 3, 3, 1, 0 }, // 720 rows: the weight gradient's sums run in three blocks
            { 5, 2, 9, 8, 6, 5, 4, 3, 2 },
            { 2, 1, 3, 1, 2, 5, 5, 1, 2 }, // a 1-wide image: some kernel columns only ever see padding
            { 2, 2, 2, 3, 3, 4, 4, 2, 3 }, // pad beyond the image: windows wholly in the padding
        };

    static (Conv2D Layer, Params P, ConvReference.Conv Ref) Make(
        int n,
        int c,
        int h,
        int w,
        int f,
        int kh,
        int kw,
        int s,
        int p
    )
    {
        var layer = new Conv2D(c, f, kh, kw, s, p, new WeightInit.He());
        var ps = new Params(
            Prelude.Map((new ParamKey(0, "W"), Normal(31, c * kh * kw, f)), (new ParamKey(0, "b"), Normal(32, 1, f)))
        );
        return (layer, ps, new ConvReference.Conv(n, c, h, w, f, kh, kw, s, p));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_every_gradient_equal_the_nested_loops_bitwise(
        int n,
        int c,
        int h,
        int w,
        int f,
        int kh,
        int kw,
        int s,
        int p
    )
    {
        var (layer, ps, r) = Make(n, c, h, w, f, kh, kw, s, p);
        var x = Normal(33, n, c * h * w).Reshape(n, c, h, w);
        var fw = layer.Forward(new LayerParams(ps, 0), new LayerState(ModelState.Empty, 0), x, Ctx.Eval);
        Assert.Equal([n, f, r.OH, r.OW], fw.Y.Dims.ToArray());
        var wv = ps[0, "W"].ToArray();
        Bitwise(r.Forward(x.ToArray(), wv, ps[0, "b"].ToArray()), fw.Y, "y");

        var dy = Normal(34, n, f * r.OH * r.OW);
        var bw = layer.Backward(new LayerParams(ps, 0), fw.Cache, dy);
        Assert.Equal([n, c, h, w], bw.Dx.Dims.ToArray());
        Bitwise(r.DX(dy.ToArray(), wv), bw.Dx, "dx");
        var g = bw.Grads.ToDictionary(a => a.Name, a => a.Value);
        Bitwise(r.DW(x.ToArray(), dy.ToArray()), g["W"], "dW");
        Bitwise(r.DB(dy.ToArray()), g["b"], "db");
    }

    static void Bitwise(double[] expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var a = actual.Span;
        for (var i = 0; i < expected.Length; i++)
            Assert.True(
                BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(a[i]),
                $"{what}[{i}]: expected {expected[i]:R}, got {a[i]:R}"
            );
    }

    [Fact]
    public void Conv_then_relu_fused_in_a_network_equals_the_two_layers_apart_bitwise()
    {
        var (layer, ps, r) = Make(6, 2, 8, 8, 5, 3, 3, 1, 1);
        var net = new Network(
            SampleShape.Image(2, 8, 8),
            Prelude.Seq<Layer>(layer, new Relu()),
            new MeanSquaredError()
        );
        Assert.NotNull(net.Plan.Forward[0].Fused);
        var x = Normal(35, 6, 2 * 8 * 8);
        var fused = net.Forward(ps, ModelState.Empty, x, Ctx.Eval);
        var conv = layer.Forward(
            new LayerParams(ps, 0),
            new LayerState(ModelState.Empty, 0),
            x.Reshape(6, 2, 8, 8),
            Ctx.Eval
        );
        var relu = new Relu().Forward(new LayerParams(ps, 1), new LayerState(ModelState.Empty, 1), conv.Y, Ctx.Eval);
        AssertBitwise(relu.Y, fused.Scores, "fused output");
        var dy = Normal(36, 6, 5 * r.OH * r.OW);
        var (dx, grads) = net.Backward(ps, fused.Caches, dy);
        var dRelu = new Relu().Backward(new LayerParams(ps, 1), relu.Cache, dy);
        var apart = layer.Backward(new LayerParams(ps, 0), conv.Cache, dRelu.Dx);
        AssertBitwise(apart.Dx, dx, "dx");
        foreach (var a in apart.Grads)
            AssertBitwise(a.Value, grads[0, a.Name], a.Name);
    }

    [Fact]
    public void A_flat_feature_vector_is_refused_naming_the_layer_and_both_shapes()
    {
        var conv = new Conv2D(1, 30, 5, 5, 1, 0, new WeightInit.Std(0.01));
        var e = Assert.Throws<ArgumentException>(() => conv.OutputShape(SampleShape.Features(784)));
        Assert.Contains("Conv2D(1→30, 5×5, stride 1, pad 0)", e.Message);
        Assert.Contains("1×H×W image", e.Message);
        Assert.Contains("784 features", e.Message);

        var ps = new Network(SampleShape.Image(1, 28, 28), Prelude.Seq1<Layer>(conv), new MeanSquaredError()).Init(
            Key.Of(1)
        );
        var flat = Normal(1, 10, 784);
        var f = Assert.Throws<ArgumentException>(() =>
            conv.Forward(new LayerParams(ps, 0), new LayerState(ModelState.Empty, 0), flat, Ctx.Eval)
        );
        Assert.Contains("layer 0 Conv2D(1→30", f.Message);
        Assert.Contains("N×1×H×W", f.Message);
        Assert.Contains("10×784", f.Message);

        var rgb = new Conv2D(3, 4, 3, 3, 1, 0, new WeightInit.He());
        var g = Assert.Throws<ArgumentException>(() =>
            new Network(SampleShape.Image(1, 28, 28), Prelude.Seq1<Layer>(rgb), new MeanSquaredError()).Init(Key.Of(1))
        );
        Assert.Contains("3×H×W image", g.Message);
        Assert.Contains("1×28×28", g.Message);

        var big = new Conv2D(1, 4, 9, 9, 1, 0, new WeightInit.He());
        var b = Assert.Throws<ArgumentException>(() => big.OutputShape(SampleShape.Image(1, 8, 8)));
        Assert.Contains("does not fit in a 1×8×8 image", b.Message);
    }

    [Fact]
    public void The_weights_use_the_fan_in_of_channels_times_the_kernel()
    {
        var conv = new Conv2D(3, 200, 5, 5, 1, 0, new WeightInit.He());
        var w = conv.InitParams(Key.Of(9), SampleShape.Image(3, 12, 12)).Single(a => a.Name == "W").Value;
        Assert.Equal([75, 200], w.Dims.ToArray());
        var v = w.Span.ToArray();
        var variance = v.Select(a => a * a).Average();
        Assert.InRange(variance, 2.0 / 75 * 0.9, 2.0 / 75 * 1.1);
    }
}
