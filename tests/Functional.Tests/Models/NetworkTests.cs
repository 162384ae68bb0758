using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Tests.Support;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Models;

public class NetworkTests
{
    [Fact]
    public void Parameter_keys_are_layer_index_and_name_in_numeric_order()
    {
        var net = Nets.MultiLayerNetExtend(4, [3, 3, 3, 3, 3], 2, batchNorm: true);
        var keys = net.Init(Key.Of(1)).Values.Keys.Select(k => k.ToString()).ToArray();
        Assert.Equal("0.W", keys[0]);
        Assert.Equal("0.b", keys[1]);
        Assert.Equal("1.beta", keys[2]);
        Assert.Equal("1.gamma", keys[3]);
        Assert.Equal(["12.W", "12.b", "13.beta", "13.gamma", "15.W", "15.b"], keys[^6..]);
    }

    [Fact]
    public void Same_seed_builds_bitwise_identical_parameters_and_different_seeds_differ()
    {
        var net = Nets.MultiLayerNet(784, [100, 100], 10);
        var a = net.Init(Key.Of(7));
        var b = net.Init(Key.Of(7));
        var c = net.Init(Key.Of(8));
        Assert.All(a.Values, kv => Assert.True(Mat.BitwiseEqual(kv.Value, b[kv.Key])));
        Assert.False(Mat.BitwiseEqual(a[0, "W"], c[0, "W"]));
    }

    [Fact]
    public void He_and_Xavier_scales_follow_the_fan_in()
    {
        var he = Nets.MultiLayerNet(400, [300], 10, HiddenActivation.Relu).Init(Key.Of(1))[0, "W"];
        var xavier = Nets.MultiLayerNet(400, [300], 10, HiddenActivation.Sigmoid).Init(Key.Of(1))[0, "W"];
        static double Std(Tensor m) => Math.Sqrt(m.Enumerate().Average(v => v * v));
        Assert.Equal(Math.Sqrt(2.0 / 400), Std(he), 3);
        Assert.Equal(Math.Sqrt(1.0 / 400), Std(xavier), 3);
    }

    [Fact]
    public void Forward_and_backward_leave_every_input_parameter_and_state_unchanged()
    {
        var net = Nets.MultiLayerNetExtend(5, [4, 4], 3, batchNorm: true, dropout: 0.2, weightDecay: 0.1);
        var ps = net.Init(Key.Of(1));
        var st = net.Train1(ps, Key.Of(9)); // non-trivial running statistics
        var x = Normal(2, 6, 5);
        var t = OneHot(3, 6, 3);
        var psCopy = ps.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var stCopy = st.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var xCopy = x.Clone();
        var tCopy = t.Clone();

        var r = net.LossAndGrads(ps, st, x, t, Ctx.Train(Key.Of(4)));
        _ = net.LossAndGrads(ps, st, x, t, Ctx.Eval);

        AssertBitwise(xCopy, x, "input x");
        AssertBitwise(tCopy, t, "targets");
        foreach (var (k, m) in psCopy)
            AssertBitwise(m, ps[k], $"parameter {k}");
        Assert.Equal(4, stCopy.Count); // two BatchNorm layers' means and variances
        foreach (var (k, m) in stCopy)
            AssertBitwise(m, st[k], $"state {k}");
        Assert.NotSame(st, r.State); // training returns new statistics instead
    }

    [Fact]
    public void Eval_mode_returns_the_same_state_reference_and_is_deterministic()
    {
        var net = Nets.DigitsBatchNorm();
        var ps = net.Init(Key.Of(1));
        var st = net.InitState();
        var x = Normal(2, 4, 64);
        var a = net.Forward(ps, st, x, Ctx.Eval);
        var b = net.Forward(ps, st, x, Ctx.Eval);
        Assert.Same(st, a.State);
        Assert.True(Mat.BitwiseEqual(a.Scores, b.Scores));
    }

    [Fact]
    public void Predict_and_accuracy_work_in_chunks()
    {
        var net = Nets.TwoLayerNet(6, 5, 3, 1.0);
        var ps = net.Init(Key.Of(1));
        var x = Normal(2, 25, 6);
        var whole = net.Predict(ps, net.InitState(), x, 1000);
        var chunked = net.Predict(ps, net.InitState(), x, 7);
        Assert.True(Mat.BitwiseEqual(whole, chunked));
        var labels = Mat.ArgMaxRows(whole);
        Assert.Equal(1.0, net.Accuracy(ps, net.InitState(), x, labels, 4));
    }

    [Fact]
    public void Summary_lists_layers_shapes_and_parameter_counts()
    {
        var s = Nets.DigitsBatchNorm().Summary();
        Assert.Contains("Affine 64→32", s);
        Assert.Contains("BatchNorm 32", s);
        Assert.Contains("2,474", s); // 64·32+32 + 2·32 + 32·10+10
    }

    [Fact]
    public void Initial_parameters_of_a_small_seeded_network_are_pinned()
    {
        var ps = Nets.MultiLayerNetExtend(3, [4], 2, batchNorm: true).Init(Key.Of(2024));
        Snap.Match(ps.Values.ToDictionary(kv => kv.Key.ToString(), kv => Snap.R(kv.Value)), "Models");
    }

    [Fact]
    public void Every_layers_forward_and_backward_on_a_fixed_input_are_pinned()
    {
        var x = Normal(1, 3, 4);
        var dy = Normal(2, 3, 4);
        var affine = new Affine.P(Normal(3, 4, 4), Mat.Row(0.1, -0.2, 0.3, 0));
        var (ya, ca) = Affine.Forward(affine, x);
        var (dxa, ga) = Affine.Backward(affine, ca, dy);
        var (yr, cr) = new Relu().Forward(x);
        var (ys, cs) = new Sigmoid().Forward(x);
        var (yt, ct) = new Tanh().Forward(x);
        var bn = new BatchNorm(4, BatchNormConfig.Reference);
        var (yb, sb, cb) = BatchNorm.Forward(bn, bn.InitParams(), bn.InitStats(), x, Mode.Train);
        var (dxb, gb) = BatchNorm.Backward(bn.InitParams(), cb, dy);
        var (yd, cd) = Dropout.Forward(new Dropout(0.5), x, Ctx.Train(Key.Of(1)), Key.Of(1));
        var sm = new SoftmaxWithLoss();
        var (ls, csm) = sm.Forward(x, OneHot(4, 3, 4));
        var mse = new MeanSquaredError();
        var (lm, cm) = mse.Forward(x, dy);
        Snap.Match(
            new
            {
                Affine = new
                {
                    Y = Snap.R(ya),
                    DX = Snap.R(dxa),
                    DW = Snap.R(ga.DW),
                    DB = Snap.R(ga.DB),
                },
                Relu = new { Y = Snap.R(yr), DX = Snap.R(new Relu().Backward(cr, dy)) },
                Sigmoid = new { Y = Snap.R(ys), DX = Snap.R(new Sigmoid().Backward(cs, dy)) },
                Tanh = new { Y = Snap.R(yt), DX = Snap.R(new Tanh().Backward(ct, dy)) },
                BatchNorm = new
                {
                    Y = Snap.R(yb),
                    DX = Snap.R(dxb),
                    DGamma = Snap.R(gb.DGamma),
                    DBeta = Snap.R(gb.DBeta),
                    RunningVar = Snap.R(sb.RunningVar),
                },
                Dropout = new { Y = Snap.R(yd), DX = Snap.R(Dropout.Backward(cd, dy)) },
                SoftmaxWithLoss = new { Loss = Snap.R(ls), DX = Snap.R(sm.Backward(csm)) },
                MeanSquaredError = new { Loss = Snap.R(lm), DX = Snap.R(mse.Backward(cm)) },
            },
            "Layers"
        );
    }
}

static class NetworkTestExtensions
{
    /// <summary>The state after one training-mode forward pass (non-default running statistics).</summary>
    public static ModelState Train1(this Functional.Models.Network net, Params ps, Key key) =>
        net.Forward(ps, net.InitState(), Normal(99, 6, net.Inputs), Ctx.Train(key)).State;
}
