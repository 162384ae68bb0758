using Functional.Core;
using Functional.Layers;
using Functional.Tests.Support;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Layers;

/// <summary>The image layers' forward and backward on a fixed input, every bit pinned.</summary>
public class ConvSnapshotTests
{
    [Fact]
    public void A_small_conv_layer_and_the_pools_forward_and_backward_are_pinned()
    {
        var x = Normal(1, 2, 2 * 5 * 5).Reshape(2, 2, 5, 5);
        var conv = new Conv2D(2, 3, 3, 3, 2, 1, new WeightInit.He());
        var ps = new Params(
            Prelude.Map(
                (new ParamKey(0, "W"), conv.InitParams(Key.Of(4), SampleShape.Image(2, 5, 5))[0].Value),
                (new ParamKey(0, "b"), Mat.Row(0.1, -0.2, 0.3))
            )
        );
        var st = new LayerState(ModelState.Empty, 0);
        var p = new LayerParams(ps, 0);
        var y = conv.Forward(p, st, x, Ctx.Eval);
        var back = conv.Backward(p, y.Cache, Normal(2, 2, 3 * 3 * 3));
        var max = new MaxPool2D(3, 3, 2, 1);
        var ym = max.Forward(p, st, x, Ctx.Eval);
        var avg = new AvgPool2D(2, 2, 1, 0);
        var ya = avg.Forward(p, st, x, Ctx.Eval);
        Snap.Match(
            new
            {
                Conv = new
                {
                    Shape = y.Y.ShapeText,
                    W = Snap.R(ps[0, "W"]),
                    Y = Snap.R(y.Y),
                    DX = Snap.R(back.Dx),
                    DW = Snap.R(back.Grads.Single(g => g.Name == "W").Value),
                    DB = Snap.R(back.Grads.Single(g => g.Name == "b").Value),
                },
                MaxPool = new
                {
                    Shape = ym.Y.ShapeText,
                    Y = Snap.R(ym.Y),
                    DX = Snap.R(max.Backward(p, ym.Cache, Normal(3, 2, 2 * 3 * 3)).Dx),
                },
                AvgPool = new
                {
                    Shape = ya.Y.ShapeText,
                    Y = Snap.R(ya.Y),
                    DX = Snap.R(avg.Backward(p, ya.Cache, Normal(4, 2, 2 * 4 * 4)).Dx),
                },
            },
            "Layers"
        );
    }
}
