using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using R = Functional.Tests.Support.Reference;

namespace Functional.Tests.Models;

/// <summary>The fused training step (Network.LossAndGrads) against the reference composition of the old layers.</summary>
public class FusedStepTests
{
    public static TheoryData<string> Nets =>
        new() { "digits-bn", "regression", "two-layer", "tanh-decay", "sigmoid-bn", "relu-mlp" };

    static (Functional.Models.Network Net, int Batch, bool Classify) Build(string name) =>
        name switch
        {
            "digits-bn" => (Functional.Models.Nets.DigitsBatchNorm(), 10, true),
            "regression" => (Functional.Models.Nets.FluxRegression(), 20, false),
            "two-layer" => (Functional.Models.Nets.TwoLayerNet(30, 12, 5, 0.1), 9, true),
            "tanh-decay" => (
                Functional.Models.Nets.MultiLayerNet(8, [6, 5], 4, HiddenActivation.Tanh, weightDecay: 0.05),
                7,
                true
            ),
            // Products large enough for both threads and the packed path: the bias + ReLU and the backward ReLU
            // masks are applied per part by the thread that computed it (Gemm.Epilogue).
            "relu-mlp" => (
                Functional.Models.Nets.MultiLayerNetExtend(200, [64, 48, 40], 10, HiddenActivation.Relu),
                64,
                true
            ),
            _ => (
                Functional.Models.Nets.MultiLayerNetExtend(8, [6], 3, HiddenActivation.Sigmoid, batchNorm: true),
                5,
                true
            ),
        };

    [Theory]
    [MemberData(nameof(Nets))]
    public void LossAndGrads_equals_the_reference_step_bitwise_over_several_steps(string name)
    {
        var (net, batch, classify) = Build(name);
        var ps = net.Init(Key.Of(11));
        var st = net.InitState();
        var rule = Adam.Dlfs(0.01);
        var os = Functional.Optim.Optimizers.Init(rule, ps);
        for (var step = 0; step < 4; step++)
        {
            var x = Normal((ulong)(40 + step), batch, net.Inputs);
            var t = classify ? OneHot((ulong)(50 + step), batch, net.Outputs) : Normal((ulong)(60 + step), batch, 1);
            var r = net.LossAndGrads(ps, st, x, t, Ctx.TrainNoKey);
            var (rl, rg, rs) = R.LossAndGrads(net, ps, st, x, t);
            Assert.Equal(BitConverter.DoubleToInt64Bits(rl), BitConverter.DoubleToInt64Bits(r.Loss));
            Assert.Equal(rg.Values.Keys.ToArray(), r.Grads.Values.Keys.ToArray());
            foreach (var (k, g) in rg.Values)
                AssertBitwise(g, r.Grads[k], $"{name} step {step} gradient {k}");
            Assert.Equal(rs.Values.Keys.ToArray(), r.State.Values.Keys.ToArray());
            foreach (var (k, s) in rs.Values)
                AssertBitwise(s, r.State[k], $"{name} state {k}");
            // The public Forward/Backward pair gives the same gradients (plus the input gradient).
            var f = net.Forward(ps, st, x, Ctx.TrainNoKey);
            var (_, lc) = net.Loss.Forward(f.Scores, t);
            var (dx, g2) = net.Backward(ps, f.Caches, net.Loss.Backward(lc));
            Assert.Equal((batch, net.Inputs), (dx.RowCount, dx.ColumnCount));
            foreach (var (k, g) in rg.Values)
                AssertBitwise(g, g2[k], $"{name} Forward/Backward gradient {k}");
            (ps, os) = Functional.Optim.Optimizers.Update(rule, os, ps, r.Grads);
            st = r.State;
        }
    }

    /// <summary>In a training step the first convolution's weight gradient is summed from the pool's listed maxima
    /// (StagePlan.Back.FromListed); Backward, which wants the input gradient, takes the dense path: the same bits.
    /// The wide net's product crosses k blocks and runs in parts on two threads; the largest one's forward product
    /// reads the images in place (Gemm.MultiplyShifted, 1300-row blocks: row and column tails).</summary>
    [Theory]
    [InlineData(8, 4, 7)]
    [InlineData(14, 6, 40)]
    [InlineData(28, 30, 50)]
    public void A_conv_nets_listed_weight_gradient_equals_the_dense_one_bitwise(int side, int filters, int batch)
    {
        var net = Functional.Models.Nets.SimpleConvNet(
            SampleShape.Image(1, side, side),
            filters: filters,
            kernel: 3,
            hidden: 10
        );
        Assert.Equal(StagePlan.Back.FromListed, net.Plan.WithoutInput[0]);
        Assert.NotNull(net.Plan.TrainingForward[0].Pooled); // conv, ReLU and pool in one, the conv output never kept
        Assert.Null(net.Plan.Forward[0].Pooled);
        var ps = net.Init(Key.Of(3));
        var st = net.InitState();
        for (var step = 0; step < 2; step++)
        {
            var x = Normal((ulong)(70 + step), batch, net.Inputs);
            var t = OneHot((ulong)(80 + step), batch, net.Outputs);
            var r = net.LossAndGrads(ps, st, x, t, Ctx.TrainNoKey);
            var f = net.Forward(ps, st, x, Ctx.TrainNoKey);
            var (loss, lc) = net.Loss.Forward(f.Scores, t);
            Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(r.Loss));
            AssertBitwise(f.Scores, r.Scores, $"step {step} scores");
            var (_, dense) = net.Backward(ps, f.Caches, net.Loss.Backward(lc));
            Assert.Equal(dense.Values.Keys.ToArray(), r.Grads.Values.Keys.ToArray());
            foreach (var (k, g) in dense.Values)
                AssertBitwise(g, r.Grads[k], $"step {step} gradient {k}");
            ps = Functional
                .Optim.Optimizers.Update(
                    Adam.Dlfs(0.05),
                    Functional.Optim.Optimizers.Init(Adam.Dlfs(0.05), ps),
                    ps,
                    r.Grads
                )
                .Item1;
        }
    }

    [Fact]
    public void LossAndGrads_leaves_parameters_state_and_batch_unchanged()
    {
        var net = Functional.Models.Nets.DigitsBatchNorm();
        var ps = net.Init(Key.Of(1));
        var st = net.InitState();
        var x = Normal(1, 10, 64);
        var t = OneHot(2, 10, 10);
        var copies = (ps.Values.Map((Tensor m) => m.Clone()), st[1, "var"].Clone(), x.Clone(), t.Clone());
        _ = net.LossAndGrads(ps, st, x, t, Ctx.TrainNoKey);
        foreach (var (k, m) in copies.Item1)
            AssertBitwise(m, ps[k], $"param {k}");
        AssertBitwise(copies.Item2, st[1, "var"], "running var");
        AssertBitwise(copies.Item3, x, "x");
        AssertBitwise(copies.Item4, t, "t");
    }
}

[CollectionDefinition(nameof(ThreadCountTests), DisableParallelization = true)]
public sealed class ThreadCountTestGroup { }

/// <summary>
/// Training steps whose products are large enough to run on two threads give the same bits with one thread
/// (MathNet's Control.MaxDegreeOfParallelism is what the kernel reads).
/// </summary>
[Collection(nameof(ThreadCountTests))]
public class ThreadCountTests
{
    static Params Run(int threads)
    {
        var saved = MathNet.Numerics.Control.MaxDegreeOfParallelism;
        try
        {
            MathNet.Numerics.Control.MaxDegreeOfParallelism = threads;
            var net = Functional.Models.Nets.MultiLayerNetExtend(200, [96, 64], 10, batchNorm: true);
            var opt = Adam.Dlfs(0.01);
            var s = TrainState.Start(net, opt, Key.Of(5));
            for (var i = 0; i < 5; i++)
                s = Train.Step(net, opt, s, Normal((ulong)i, 128, 200), OneHot((ulong)i + 9, 128, 10)).State;
            return s.Params;
        }
        finally
        {
            MathNet.Numerics.Control.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void Five_steps_give_the_same_bits_on_one_and_on_two_threads()
    {
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(ParamsHash.Sha256(one), ParamsHash.Sha256(two));
        foreach (var (k, m) in one.Values)
            AssertBitwise(m, two[k], $"param {k}");
    }
}
